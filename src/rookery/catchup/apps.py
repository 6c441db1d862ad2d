from django.apps import AppConfig


class CatchupConfig(AppConfig):
    name = "rookery.catchup"
    label = "catchup"
    default_auto_field = "django.db.models.BigAutoField"
