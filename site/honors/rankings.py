"""Points rankings (积分榜) and star levels (星级), computed from the ledger.

A ranking covers one month, quarter or year (disclosures.models.kinds.Period: the one rule
for periods) and one center (the entries it recorded) or a street (the entries of the
centers below it). Every entry in the period counts, reversals included, so a reversed
entry nets to nothing; participants whose total is not above zero are left out.

Ranks are standard competition ranks (1, 1, 3): a participant's rank is one more than the
number of participants with more points. ``top`` keeps the first N ranks and everyone tied
at the Nth place. Names are masked (张*明) unless the participant consented; teams are
shown in full.

A ranking is three queries whatever the number of participants: the period's totals, the
shown participants with their all-time totals (for the star level), and the star levels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

from disclosures.models.kinds import Period, PeriodKind
from honors.models import Participant, ParticipantKind, PointsEntry, StarLevel
from jiamenkou.privacy import mask_name

#: The periods a ranking can cover, in the order the page shows them.
RANKING_PERIODS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


@dataclass(frozen=True)
class Row:
    rank: int
    participant: Participant
    #: The full name with consent (and for teams), else masked: 张*明.
    shown_name: str
    #: Points within the ranking's period.
    points: int
    #: The star level of the participant's all-time total, or None below the first.
    star_level: StarLevel | None


@dataclass(frozen=True)
class Ranking:
    period: Period
    rows: list[Row]

    @property
    def label(self) -> str:
        return self.period.label


def shown_name(participant: Participant) -> str:
    """How public lists name a participant: in full for teams and with consent."""
    if participant.kind == ParticipantKind.TEAM or participant.name_consent:
        return participant.name
    return mask_name(participant.name)


def star_level(total_points: int, levels: Iterable[StarLevel]) -> StarLevel | None:
    """The highest of ``levels`` whose threshold ``total_points`` reaches, or None."""
    reached = [level for level in levels if total_points >= level.min_points]
    return max(reached, key=lambda level: (level.min_points, level.stars), default=None)


def star_levels() -> list[StarLevel]:
    """The thresholds as editors set them (one query)."""
    return list(StarLevel.objects.order_by("min_points", "stars"))


def in_scope(scope_page) -> Q:
    """Ledger entries recorded by ``scope_page`` (a center) or by the centers below it (a
    street, or the district's home page)."""
    from district.models import CenterPage

    if isinstance(scope_page, CenterPage):
        return Q(center_id=scope_page.pk)
    return Q(center__path__startswith=scope_page.path, center__depth__gt=scope_page.depth)


def ranked(totals: list[tuple[int, int]], top: int | None) -> list[tuple[int, int, int]]:
    """(rank, participant id, points) of ``totals`` ((id, points), highest points first):
    standard competition ranks, cut after rank ``top`` but keeping ties at the cut."""
    rows, previous, rank = [], None, 0
    for position, (participant_id, points) in enumerate(totals, start=1):
        if points != previous:
            rank, previous = position, points
        if top is not None and rank > top:
            break
        rows.append((rank, participant_id, points))
    return rows


def all_time_totals(participant_ids) -> dict[int, int]:
    """participant id → all points ever recorded for them (one query)."""
    found = (
        PointsEntry.objects.filter(participant_id__in=participant_ids)
        .values("participant_id")
        .annotate(total=Sum("points"))
        .values_list("participant_id", "total")
    )
    return dict(found)


def ranking(scope_page, period_kind: str, day: date, top: int | None = None) -> Ranking:
    """The ranking of ``scope_page`` (a center or street) for the month, quarter or year
    (``period_kind``) containing ``day``; ``top``: the first N ranks (ties at N kept)."""
    if period_kind not in RANKING_PERIODS:
        raise ValueError(f"a ranking covers a month, quarter or year, not {period_kind!r}")
    period = Period.containing(period_kind, day)
    totals = (
        PointsEntry.objects.filter(in_scope(scope_page))
        .filter(date__gte=period.starts_on, date__lte=period.ends_on)
        .values("participant_id")
        .annotate(total=Sum("points"))
        .filter(total__gt=0)
        .order_by("-total", "participant_id")
        .values_list("participant_id", "total")
    )
    cut = ranked(list(totals), top)
    if not cut:
        return Ranking(period, [])
    ids = [participant_id for _rank, participant_id, _points in cut]
    participants = Participant.objects.filter(pk__in=ids).annotate(all_time=Sum("entries__points"))
    by_id = {participant.pk: participant for participant in participants}
    levels = star_levels()
    rows = [
        Row(
            rank=rank,
            participant=by_id[participant_id],
            shown_name=shown_name(by_id[participant_id]),
            points=points,
            star_level=star_level(by_id[participant_id].all_time or 0, levels),
        )
        for rank, participant_id, points in cut
    ]
    # Within a rank, by name (then by id, for names written alike).
    rows.sort(key=lambda row: (-row.points, row.participant.name, row.participant.pk))
    return Ranking(period, rows)


def standing(participant: Participant) -> tuple[int, StarLevel | None]:
    """(all-time total, star level) of one participant: what their own look-up shows."""
    total = all_time_totals([participant.pk]).get(participant.pk, 0)
    return total, star_level(total, star_levels())
