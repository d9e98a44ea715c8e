"""Notices in templates: the feeds a page advertises and the urgent banner's notices."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def notice_feed_links(owner):
    """<link rel="alternate"> to the RSS and Atom notice feeds of ``owner`` (a district
    home, street or center page); nothing for any other page."""
    from district.feeds import feed_urls
    from district.models import CenterPage, HomePage, StreetPage

    if not isinstance(owner, CenterPage | StreetPage | HomePage):
        return ""
    urls = feed_urls(owner)
    links = [
        ("application/rss+xml", f"{owner.title}通知公告（RSS）", urls["rss"]),
        ("application/atom+xml", f"{owner.title}通知公告（Atom）", urls["atom"]),
    ]
    return format_html_join(
        "\n", '<link rel="alternate" type="{}" title="{}" href="{}">', links
    ) or format_html("")


@register.simple_tag
def urgent_notices_for(page):
    """The urgent notices in force today posted by ``page`` or its ancestors (one query;
    none for anything that is not a page)."""
    from district.models import urgent_notices

    return urgent_notices(page)
