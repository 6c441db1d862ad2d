from django.urls import URLPattern, path

from rookery.catchup import views

app_name = "catchup"

urlpatterns: list[URLPattern] = [
    path("today/", views.today, name="today"),
    path("today/noise/", views.noise, name="noise"),
    path("today/feedback/", views.feedback, name="feedback"),
    path("today/mute-topic/", views.mute_topic, name="mute_topic"),
    path("today/reset/", views.model_reset, name="reset"),
    path("today/caught-up/", views.caught_up, name="caught_up"),
    path("today/settings/", views.catchup_settings, name="settings"),
    path("today/settings/feed-token/", views.feed_token_rotate, name="feed_token_rotate"),
    path("catchup/<str:token>/atom.xml", views.atom, name="atom"),
    path("catchup/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
