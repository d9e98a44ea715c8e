"""Template tags for pages that show activities: programme lines (the programme pages, the
center page, the service guide) and a service's next sessions (the service guide)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def service_sessions(context, service):
    """The next sessions of the activities that deliver ``service``, as programme lines
    (``activities.pages.service_sessions``: a fixed number of queries)."""
    from activities.pages import service_sessions as sessions_of

    return sessions_of(service, context.get("request"))


@register.simple_tag
def programme_lines(lines, show_date=False, several_centers=False):
    """The ``<li>`` of each programme line (``activities.pages.lines_html``)."""
    from activities.pages import lines_html

    return lines_html(lines, show_date=bool(show_date), several_centers=bool(several_centers))
