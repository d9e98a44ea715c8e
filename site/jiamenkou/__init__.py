"""Project configuration of Jiamenkou: settings, URLs and the WSGI/ASGI entry points.

The package sits in ``site/`` and is named ``jiamenkou`` because a top-level
package called ``site`` would collide with the standard library's ``site``.
"""

import os


def default_settings_module() -> str:
    """The settings module manage.py, WSGI and ASGI use unless one is given."""
    if os.environ.get("DJANGO_ENV", "").strip().lower() == "production":
        return "jiamenkou.settings.production"
    return "jiamenkou.settings.dev"
