"""schema.org JSON-LD of a service, for the service guide's ``<head>``: what search
engines and assistants read of it (GovernmentService for a government service)."""

import json

from catalog.models.services import ServiceKind

# Characters that could end the <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> str:
    """``data`` as the text of a ``<script type="application/ld+json">``: a service named
    ``</script>…`` cannot end the element (as Django's ``json_script`` escapes)."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def service_json_ld(service, url: str) -> dict:
    """schema.org description: GovernmentService for government services, else Service."""
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService" if service.kind == ServiceKind.GOVERNMENT else "Service",
        "name": service.name,
        "description": service.description,
        "serviceType": service.get_kind_display(),
        "category": [topic.name for topic in service.topics.all()],
        "areaServed": [link.location.name for link in service.service_at_locations.all()],
    }
    if service.alternate_name:
        data["alternateName"] = service.alternate_name
    if service.organization:
        provider = {
            "@type": "GovernmentOrganization"
            if service.kind == ServiceKind.GOVERNMENT
            else "Organization"
        }
        data["provider"] = {**provider, "name": service.organization.name}
    if service.kind == ServiceKind.GOVERNMENT and service.organization:
        data["serviceOperator"] = {
            "@type": "GovernmentOrganization",
            "name": service.organization.name,
        }
    offers = [
        {
            "@type": "Offer",
            "name": option.option or service.name,
            "price": str(option.amount),
            "priceCurrency": option.currency,
        }
        for option in service.cost_options.all()
        if option.amount is not None
    ]
    if offers:
        data["offers"] = offers
    channels = [
        {
            "@type": "ServiceChannel",
            "name": channel.get_channel_display(),
            "serviceUrl": channel.url,
        }
        for channel in service.channels.all()
        if channel.url
    ]
    if channels:
        data["availableChannel"] = channels
    data["url"] = url
    return data
