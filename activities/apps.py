from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动与功能室"
    default_auto_field = "django.db.models.BigAutoField"
