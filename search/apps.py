from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # learning connects the receiver that forgets the cached learning state when an
        # editor saves its settings.
        from search import learning, signals  # noqa: F401

        signals.connect()
