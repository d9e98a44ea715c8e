from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("district/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page):
    """街道 › 社区 › 页面: the page's ancestors below the tree root, then the page."""
    ancestors = page.get_ancestors().filter(depth__gt=1) if page.depth > 2 else []
    return {"ancestors": ancestors, "page": page, "request": context.get("request")}


@register.simple_tag(takes_context=True)
def elderly_mode_url(context, on: bool) -> str:
    request = context["request"]
    return (
        reverse("toggle_elderly_mode")
        + "?"
        + urlencode({"on": "1" if on else "0", "next": request.get_full_path()})
    )


@register.filter
def tel_href(number: str) -> str:
    """A dialable ``tel:`` target: digits and a leading plus only."""
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


# Opening hours are worded by the catalog's one clock module (catalog.opening), which is
# pure: no models are imported with it.


@register.filter
def schedule_line(row) -> str:
    """A schedule row as a line of hours: a dated exception always worded from its fields
    (its description is only the reason), a regular row by its description if it has one."""
    from catalog.opening import describe_row, is_exception

    if is_exception(row):
        return describe_row(row)
    return row.description or describe_row(row)
