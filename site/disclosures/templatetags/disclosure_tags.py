"""Template helpers of the disclosure pages."""

from django import template

from disclosures.guard import display_table as _display_table

register = template.Library()


@register.simple_tag
def display_table(value):
    """{% display_table value as shown %}: a table block's caption, header and rows as
    residents see them (names masked when the block says so)."""
    return _display_table(value)


@register.filter
def short_fingerprint(hex_digest):
    """{{ version.fingerprint|short_fingerprint }} → "3F9A 21C4 7B0D 88E1" (for print)."""
    from disclosures.versions import short_fingerprint as short

    return short(hex_digest)
