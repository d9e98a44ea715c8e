"""Development: DEBUG on, a fixed insecure key unless SECRET_KEY is set."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-jiamenkou-dev-only"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
