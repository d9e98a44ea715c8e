"""Wagtail discovers this module; each admin module registers its own hooks on import."""

from disclosures.admin import cadence, review  # noqa: F401
