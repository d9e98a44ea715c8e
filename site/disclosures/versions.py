"""Published versions and their fingerprints; a change after publication needs a
correction note (更正说明)."""


def check_correction_note(page) -> None:
    """Raise ValidationError when a published disclosure changes without a new note."""


def record_published_version(page, revision, user=None):
    """Store the version just published (called on Wagtail's page_published signal)."""
