"""Privacy guard: a disclosure holding an unmasked resident ID or mobile number cannot be
saved (the committee's review page shows drafts to residents) or published.
Filled in by the privacy work: text, table cells, finance rows, attached PDF and xlsx."""


def check_personal_numbers(page) -> None:
    """Raise ValidationError naming where an unmasked number is."""
