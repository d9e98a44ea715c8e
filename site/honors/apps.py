from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "honors"
    verbose_name = "光荣榜与积分"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Points earned by attending activities (activities.signals.attendance_recorded).
        from honors import signals  # noqa: F401
