"""Production: refuses to start without SECRET_KEY; static files through WhiteNoise."""

from django.core.exceptions import ImproperlyConfigured

from jiamenkou.env import env_bool, env_int

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, STORAGES

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "生产环境（DJANGO_ENV=production）必须设置环境变量 SECRET_KEY，系统拒绝启动。"
        " SECRET_KEY must be set in the environment when DJANGO_ENV=production."
    )

DEBUG = False

# WhiteNoise serves the collected, hashed and compressed static files right after security.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Let the front server (nginx …) serve MEDIA_ROOT; set to 1 where the site runs alone.
SERVE_MEDIA_FILES = env_bool("SERVE_MEDIA_FILES", False)
