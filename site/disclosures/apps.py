from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = "党务·居务·财务公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The receivers: published versions (signals) and the review workflow given to each
        # new board (review), whatever creates it: the admin, load_demo, a command.
        from disclosures import review, signals  # noqa: F401
