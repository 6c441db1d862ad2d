from django.urls import path

from rookery.traction import views

app_name = "traction"

urlpatterns = [
    path("l/<str:code>", views.short_link, name="short_link"),
    path("traction/", views.insights, name="insights"),
    path("traction/posts/<int:post_id>/", views.post_traction, name="post"),
    path(
        "@<str:username>/<int:post_id>/traction",
        views.post_traction_by_author,
        name="post_by_author",
    ),
    path("traction/export.csv", views.export_csv, name="export_csv"),
    path("traction/export.json", views.export_json, name="export_json"),
]
