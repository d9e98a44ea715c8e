"""Wagtail discovers this module; each admin module registers its own hooks on import."""

from honors.admin import ledger, lookup  # noqa: F401
