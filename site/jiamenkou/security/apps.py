from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "jiamenkou.security"
    label = "jiamenkou_security"
    verbose_name = "安全"

    def ready(self):
        from jiamenkou.security import audit

        audit.connect()
