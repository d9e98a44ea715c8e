"""Template tags for pages of other apps that show activities (the service guide)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def service_sessions(context, service):
    """The next sessions of the activities that deliver ``service``, as programme lines
    (``activities.pages.service_sessions``: a fixed number of queries)."""
    from activities.pages import service_sessions as sessions_of

    return sessions_of(service, context.get("request"))
