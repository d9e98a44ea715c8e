from django.apps import AppConfig


class DistrictConfig(AppConfig):
    name = "district"
    verbose_name = "区 · 街道 · 服务中心"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The page cache forgets pages when what they show changes, whatever process
        # changes it (the admin, imports, scheduled publishing).
        from jiamenkou import pagecache

        pagecache.connect_signals()
