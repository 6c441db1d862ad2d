from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "rookery.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"
