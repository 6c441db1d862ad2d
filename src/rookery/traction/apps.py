from django.apps import AppConfig


class TractionConfig(AppConfig):
    name = "rookery.traction"
    label = "traction"
    default_auto_field = "django.db.models.BigAutoField"
