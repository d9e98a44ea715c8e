from django.apps import AppConfig


class DistrictConfig(AppConfig):
    name = "district"
    verbose_name = "区 · 街道 · 服务中心"
    default_auto_field = "django.db.models.BigAutoField"
