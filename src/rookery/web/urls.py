from django.urls import path
from django.views.generic import TemplateView

app_name = "web"

# Placeholder routes until the web UI lands; names are the contract services use.
_placeholder = TemplateView.as_view(template_name="web/landing.html")

urlpatterns = [
    path("", _placeholder, name="landing"),
    path("home/", _placeholder, name="home"),
    path("login/", _placeholder, name="login"),
    path("@<str:username>/", _placeholder, name="profile"),
    path("@<str:username>/<int:post_id>/", _placeholder, name="post"),
    path("tags/<str:tag>/", _placeholder, name="hashtag"),
]
