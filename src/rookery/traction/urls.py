from django.urls import URLPattern

app_name = "traction"

urlpatterns: list[URLPattern] = []
