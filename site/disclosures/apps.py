from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "党务·居务·财务公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Wagtail hooks of the admin modules, and the signal that records published versions.
        from disclosures import signals  # noqa: F401
