"""Production: refuses to start without SECRET_KEY; static files through WhiteNoise (or
nginx); HTTPS, HSTS and the proxy's TLS header from environment variables of Django's own
names; media on disk, or on S3-compatible storage when AWS_STORAGE_BUCKET_NAME is set.

Every variable is documented in ``deploy/production.env.example``; with those values
``manage.py check --deploy`` reports nothing (tests/test_deploy.py).
"""

from django.core.exceptions import ImproperlyConfigured

from jiamenkou.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, STORAGES

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "生产环境（DJANGO_ENV=production）必须设置环境变量 SECRET_KEY，系统拒绝启动。"
        " SECRET_KEY must be set in the environment when DJANGO_ENV=production."
    )

DEBUG = False

# WhiteNoise serves the collected, hashed and compressed static files right after security
# (nginx serves them itself in front; WhiteNoise covers a site run without it).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """``"HTTP_X_FORWARDED_PROTO,https"`` → the pair Django expects; empty → None (no
    proxy says which requests came over HTTPS)."""
    parts = env_list(name, ["HTTP_X_FORWARDED_PROTO", "https"])
    if not parts:
        return None
    if len(parts) != 2:
        raise ImproperlyConfigured(
            f"环境变量 {name} 应写成“请求头,值”，例如 HTTP_X_FORWARDED_PROTO,https。"
            f" ({name} must be 'HEADER,value')"
        )
    return parts[0], parts[1]


# The proxy (nginx) tells Django which requests reached it over HTTPS. Only safe when the
# proxy always sets this header itself (deploy/nginx/jiamenkou.conf does).
SECURE_PROXY_SSL_HEADER = proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A load balancer probes /health/ over plain HTTP: no redirect for it.
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [r"^health/$"])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Let the front server (nginx …) serve MEDIA_ROOT; set to 1 where the site runs alone.
SERVE_MEDIA_FILES = env_bool("SERVE_MEDIA_FILES", False)

# Media (images, documents) on S3-compatible storage (AWS S3, MinIO, Aliyun OSS, Tencent
# COS…) when a bucket is named; django-storages' own variable names. The keys are read
# by django-storages from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": env_str("AWS_LOCATION"),
            # "path" for MinIO and most self-hosted stores; "virtual" for AWS, OSS, COS.
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": env_str("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            # Public media by plain URL: a signed URL expires, and a cached page that
            # carries one would show broken images an hour later. The bucket (or the
            # custom domain in front of it) must allow public reads of these objects.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            # Two images uploaded under one name must not overwrite each other (Wagtail).
            "file_overwrite": False,
        },
    }

# Checks a deployment has decided to live with (e.g. search.W001 on a one-node cluster).
SILENCED_SYSTEM_CHECKS = [
    *globals().get("SILENCED_SYSTEM_CHECKS", []),
    *env_list("SILENCED_SYSTEM_CHECKS"),
]
