"""gunicorn reads this from the project root: ``gunicorn jiamenkou.wsgi``."""

import os

pythonpath = "site"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
