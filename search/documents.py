"""What each searchable thing contributes to the index, analysed once for every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from search.analysis import analyse, fold, pinyin_tokens, topic_token

#: Prefetches that make :func:`service_document` free of further queries.
SERVICE_PREFETCH = (
    "topics",
    "audiences",
    "channels",
    "cost_options",
    Prefetch("service_at_locations__location"),
)


@dataclass
class Document:
    """A service, activity or page as analysed text plus what backends filter and facet on
    (activities: :func:`search.activities.activity_document`)."""

    source: str  # "service", "activity" or "page"
    key: str  # the service's uuid, the activity's or the page's id, as text
    title: str
    name_tokens: list[str]
    keyword_tokens: list[str]
    body_tokens: list[str]
    pinyin_tokens: list[str]
    facets: dict[str, list[str]] = field(default_factory=dict)
    points: list[tuple[float, float]] = field(default_factory=list)  # (lat, lng)
    #: An activity's last session that is not cancelled ends then (None: it has none).
    last_ends_at: datetime | None = None

    def joined(self, name: str) -> str:
        return " ".join(getattr(self, name))


def keyword_list(text: str) -> list[str]:
    return [word for word in fold(text).replace("，", ",").replace("、", ",").split(",") if word]


def topic_tokens(topics, name_tokens: list[str]) -> tuple[list[str], list[str]]:
    """The tokens a need led to a topic matches (:func:`search.analysis.topic_token`), as
    (those of topics the service's name speaks of, the others). A service whose name
    shares a word with its topic's name (社区心理健康咨询 in 医疗健康, 社区便民维修服务 in
    便民生活) is at the topic's heart and carries the token among its keywords; a service
    merely filed under the topic carries it in its description, where it counts least."""
    names = set(name_tokens)
    central, other = [], []
    for term in topics:
        words = [word for word in analyse(term.name) if len(word) > 1]
        (central if names.intersection(words) else other).append(topic_token(term.code))
    return central, other


def service_document(service) -> Document:
    """``service`` with :data:`SERVICE_PREFETCH` and ``organization`` loaded."""
    keywords = keyword_list(service.keywords)
    body = [
        service.description,
        service.eligibility_description,
        service.organization.name if service.organization_id else "",
        " ".join(term.name for term in service.topics.all()),
        " ".join(term.name for term in service.audiences.all()),
        " ".join(link.description for link in service.service_at_locations.all()),
    ]
    locations = [link.location for link in service.service_at_locations.all()]
    amounts = [option.amount for option in service.cost_options.all()]
    name_tokens = analyse(service.name)
    central, other = topic_tokens(service.topics.all(), name_tokens)
    return Document(
        source="service",
        key=str(service.pk),
        title=service.name,
        name_tokens=name_tokens,
        keyword_tokens=[*analyse(" ".join([service.alternate_name, *keywords])), *central],
        body_tokens=[*analyse("\n".join(part for part in body if part)), *other],
        pinyin_tokens=pinyin_tokens([service.name, service.alternate_name, *keywords]),
        facets={
            "kind": [service.kind],
            "topic": sorted(term.code for term in service.topics.all()),
            "audience": sorted(term.code for term in service.audiences.all()),
            "center": sorted(
                {loc.external_identifier for loc in locations if loc.external_identifier}
            ),
            "cost": [service.cost_category(amounts)],
            "channel": sorted({row.channel for row in service.channels.all()}),
            "status": [service.status],
        },
        points=[
            (float(loc.latitude), float(loc.longitude))
            for loc in locations
            if loc.latitude is not None and loc.longitude is not None
        ],
    )


def page_document(page) -> Document:
    """A page by its title and search text (``search_text()`` when the page model has it,
    else its search description)."""
    text = page.search_text() if hasattr(page, "search_text") else page.search_description
    return Document(
        source="page",
        key=str(page.pk),
        title=page.title,
        name_tokens=analyse(page.title),
        keyword_tokens=analyse(page.search_description or ""),
        body_tokens=analyse(text or ""),
        pinyin_tokens=pinyin_tokens([page.title]),
        facets={"type": [page.specific_class._meta.model_name if page.specific_class else "page"]},
    )
