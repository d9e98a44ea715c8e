from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # learning connects the receiver that forgets the cached learning state when an
        # editor saves its settings.
        # checks registers the Elasticsearch settings checks (manage.py check).
        from search import checks, learning, signals  # noqa: F401

        signals.connect()
