from django.urls import path

from rookery.feeds import views

app_name = "feeds"

urlpatterns = [
    path("blog/", views.blog, name="blog"),
    path("blog/feeds/add/", views.feed_add, name="feed_add"),
    path("blog/feeds/<int:feed_id>/", views.feed_settings, name="feed_settings"),
    path("blog/feeds/<int:feed_id>/<str:action>/", views.feed_action, name="feed_action"),
    path("blog/promotions/<int:promotion_id>/", views.promotion_edit, name="promotion"),
    path(
        "blog/promotions/<int:promotion_id>/preview/",
        views.promotion_preview,
        name="promotion_preview",
    ),
    path(
        "blog/promotions/<int:promotion_id>/draft/",
        views.promotion_promote,
        name="promotion_promote",
    ),
]
