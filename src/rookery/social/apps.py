from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "rookery.social"
    label = "social"
    default_auto_field = "django.db.models.BigAutoField"
