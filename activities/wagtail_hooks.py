"""Wagtail discovers this module; each admin module registers its own hooks on import."""

from activities.admin import activities, imports, kiosks, signups, utilisation  # noqa: F401
