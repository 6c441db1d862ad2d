from django.urls import URLPattern

app_name = "catchup"

urlpatterns: list[URLPattern] = []
