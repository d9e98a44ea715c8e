"""Development: DEBUG on, a fixed insecure key unless SECRET_KEY is set."""

import contextlib

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_str

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-jiamenkou-dev-only"
if not env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# An untracked local.py may override anything for one developer's machine.
with contextlib.suppress(ImportError):
    from .local import *  # noqa: F403
