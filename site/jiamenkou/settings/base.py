"""Settings every environment shares. Secrets and hosts come from the environment only.

Variables: DATABASE_URL, ELASTICSEARCH_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS,
MEDIA_ROOT, DJANGO_ENV. Unset, they give the embedded default: SQLite in ``var/``,
database search and a local-memory cache.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from jiamenkou.env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent.parent
VAR_DIR = BASE_DIR / "var"

DJANGO_ENV = env_str("DJANGO_ENV", "development").lower()
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Proxies in front of the site that append to X-Forwarded-For (nginx: 1; a load balancer
# and nginx: 2); 0 when clients reach it directly (jiamenkou/proxy.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "district",
    "catalog",
    "activities",
    "disclosures",
    "honors",
    "search",
    "jiamenkou.security",  # sign-in lockout page, rate limits, upload checks, audit centers
    "wagtail_modeladmin",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.api.v2",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Behind nginx: REMOTE_ADDR from X-Forwarded-For when TRUSTED_PROXY_COUNT > 0, before
    # anything counts per address (jiamenkou/proxy.py).
    "jiamenkou.proxy.TrustedProxyMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every response,
    # the 503 page included; /admin/ gets its relaxation there (jiamenkou/csp.py).
    "jiamenkou.csp.ContentSecurityPolicyMiddleware",
    # A database that cannot be reached: a 503 page in Chinese (JSON under /api/) for
    # whatever below it fails, not a server error (jiamenkou/faults.py).
    "jiamenkou.faults.DatabaseUnavailableMiddleware",
    # Page view restrictions read once per GET, not once per list (jiamenkou/restrictions.py).
    "jiamenkou.restrictions.RestrictionsOncePerRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An editor's admin session lasts a working day from their last admin request.
    "jiamenkou.security.sessions.AdminSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Public pages of anonymous visitors from the page cache (jiamenkou/pagecache.py).
    "jiamenkou.pagecache.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a sign-in refused by the lockout into its Chinese page (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): the site runs on its own files only. No inline
# script or style anywhere on the public site (static/js, static/css hold them); JSON-LD
# blocks are data, which CSP does not govern. The site uses no network at run time, so
# nothing but 'self' (and data: images) is needed. No page may be framed (as Django's
# X-Frame-Options: DENY says to older browsers). The admin's needs (its page preview is
# framed by the editor) are added per request in jiamenkou/csp.py. Tests:
# tests/test_csp.py, tests/browser/test_csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "jiamenkou.urls"
WSGI_APPLICATION = "jiamenkou.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "district.context_processors.elderly_mode",
            ],
        },
    },
]

if not env_str("DATABASE_URL"):
    # The embedded default keeps its SQLite file in the ignored var/ folder.
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4, for spinning disks) makes the planner scan
    # the search table row by row instead of using its GIN index (10 ms against 45 ms at
    # 10,000 services). 1.1 is the usual value for SSDs; PG_RANDOM_PAGE_COST overrides it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c random_page_cost={env_str('PG_RANDOM_PAGE_COST', '1.1')}"
    )
    # A database host that does not answer at all would hold each request for the
    # system's TCP timeout (minutes) before the 503 page (jiamenkou/faults.py).
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(env_str("PG_CONNECT_TIMEOUT", "5"))
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but a Redis outage costs speed, not server errors.
            "BACKEND": "jiamenkou.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jiamenkou",
        }
    }
    # Sessions read from Redis and are kept in the database too: a Redis outage (or
    # restart) neither logs editors out nor loses a resident's look-up session.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache (jiamenkou/pagecache.py): public pages, feeds and kiosk data of anonymous
# visitors, kept this many seconds at most (clock-driven changes show within it; edits at
# once). 0 turns the page cache off.
JIAMENKOU_PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)

# -- Security (jiamenkou/security/) ---------------------------------------------------------
# Sign-in lockout (django-axes): five wrong passwords for one username from one address
# lock that pair out for 30 minutes; a right password resets the count. The first backend
# only watches; Django's ModelBackend signs in.
AUTHENTICATION_BACKENDS = [
    "jiamenkou.security.backends.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiamenkou.security.lockout.lockout_response"
# The client address is REMOTE_ADDR, as for every other limit (the proxy must pass it).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Passwords: at least 10 characters, not like the username, not common, not only digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end when the browser closes, and after 8 hours without a request that saves
# them: an editor's admin requests do (jiamenkou.security.sessions); a resident's points
# look-up keeps its own 15 minutes inside the session.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
# Uploads: images up to 10 MB and 40 million pixels (a decompression bomb is refused in
# Chinese before it is decoded), documents up to 20 MB (jiamenkou/security/uploads.py).
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_DOCUMENT_FORM_BASE = "jiamenkou.security.documents.CheckedDocumentForm"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# The project's own catalog comes before the apps': it holds the Chinese that the zh_Hans
# catalogs of Wagtail and Django lack (the dashboard's "5 Pages", "Search all pages…").
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
SERVE_MEDIA_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The page editor of a center (rooms, hours) can exceed Django's default of 1000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "海河东区 · 家门口"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Absolute links in Wagtail's pages API (/api/v2/pages/).
WAGTAILAPI_BASE_URL = env_str("WAGTAILAPI_BASE_URL", WAGTAILADMIN_BASE_URL)
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_I18N_ENABLED = False
# No Gravatar: an editor's avatar is the one they upload or Wagtail's default, never an
# image fetched from an outside service with a hash of their e-mail address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No upgrade notice either: the dashboard would ask releases.wagtail.org (which the
# Content-Security-Policy refuses, and the site uses no network at run time).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Wagtail's sign-in form with a Chinese label on its password field.
WAGTAILADMIN_USER_LOGIN_FORM = "jiamenkou.admin_forms.LoginForm"
# A disclosure edited while the supervision committee reviews it goes back to them.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]

# Database search unless an Elasticsearch cluster is configured. Each site on a cluster
# needs its own index name prefix (ELASTICSEARCH_INDEX); replicas and shards of every
# index from the environment (search/checks.py warns about 0 replicas in production).
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX = env_str("ELASTICSEARCH_INDEX") or "jiamenkou"
ELASTICSEARCH_REPLICAS = env_int("ELASTICSEARCH_REPLICAS", 0)
ELASTICSEARCH_SHARDS = env_int("ELASTICSEARCH_SHARDS", 1)
# Several nodes of one cluster: their URLs separated by commas (user:password@ in each).
ELASTICSEARCH_URLS = env_list("ELASTICSEARCH_URL")
# A cluster with its own certificate authority (Elasticsearch 8's default): the CA file.
ELASTICSEARCH_CA_CERTS = env_str("ELASTICSEARCH_CA_CERTS")
ELASTICSEARCH_OPTIONS = {"ca_certs": ELASTICSEARCH_CA_CERTS} if ELASTICSEARCH_CA_CERTS else {}
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": ELASTICSEARCH_URLS,
            "OPTIONS": ELASTICSEARCH_OPTIONS,
            # The admin's indexes: <prefix>-wagtail-wagtailcore_page …; `update_index`
            # rebuilds them into new indexes and swaps an alias.
            "INDEX_PREFIX": f"{ELASTICSEARCH_INDEX}-wagtail-",
            "ATOMIC_REBUILD": True,
            "INDEX_SETTINGS": {
                "settings": {
                    "index": {
                        "number_of_replicas": ELASTICSEARCH_REPLICAS,
                        "number_of_shards": ELASTICSEARCH_SHARDS,
                    }
                }
            },
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# The residents' search (search/): the same switch. The database backend needs nothing
# more; the Elasticsearch one takes the cluster's URL and an index name prefix.
if ELASTICSEARCH_URL:
    JIAMENKOU_SEARCH = {
        "BACKEND": "search.backends.elasticsearch",
        "URLS": ELASTICSEARCH_URLS,
        "OPTIONS": ELASTICSEARCH_OPTIONS,
        "INDEX_PREFIX": ELASTICSEARCH_INDEX,
        "REPLICAS": ELASTICSEARCH_REPLICAS,
        "SHARDS": ELASTICSEARCH_SHARDS,
    }
else:
    JIAMENKOU_SEARCH = {"BACKEND": "search.backends.database"}
# Page types residents find through the site search, besides the catalog.
SEARCH_PAGE_MODELS = ["district.NoticePage"]

# E-mail (the disclosures' due-date reminders): an SMTP server when EMAIL_HOST is set;
# otherwise Django's default, and the development settings print mail to the console.
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 465 if env_bool("EMAIL_USE_SSL") else 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "家门口 <noreply@localhost>")

# An SMS gateway for residents' points look-up codes (honors/sms.py): the dotted path of a
# backend class. Unset, residents look up their points with a slip printed at the center.
JIAMENKOU_SMS_BACKEND = env_str("JIAMENKOU_SMS_BACKEND") or None

# `manage.py load_demo` runs these in order; each app adds its own demo content.
DEMO_LOADERS = [
    "district.demo.loader.load_district_demo",
    "catalog.demo.load_catalog_demo",
    "activities.demo.load_activities_demo",
    "disclosures.demo.load_disclosures_demo",
    "honors.demo.load_honors_demo",
    "search.demo.load_search_demo",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
