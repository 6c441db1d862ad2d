from django.urls import path

from rookery.suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("suggestions/", views.who_to_follow, name="who_to_follow"),
    path("suggestions/<str:username>/follow/", views.suggestion_follow, name="follow"),
    path("suggestions/<str:username>/dismiss/", views.suggestion_dismiss, name="dismiss"),
    path("events/", views.events, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/join/", views.event_join_by_code, name="join_by_code"),
    path("events/join/<str:code>/", views.event_join, name="join"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/leave/", views.event_leave, name="leave"),
    path(
        "events/<slug:slug>/follow-everyone/",
        views.event_follow_everyone,
        name="follow_everyone",
    ),
]
