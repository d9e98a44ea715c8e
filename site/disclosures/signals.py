"""Records each published version of a disclosure."""

from django.dispatch import receiver
from wagtail.signals import page_published

from disclosures.versions import record_published_version


@receiver(page_published)
def on_page_published(sender, instance, revision, **kwargs):
    from disclosures.models import DisclosurePage

    if isinstance(instance, DisclosurePage):
        record_published_version(instance, revision, user=kwargs.get("user"))
