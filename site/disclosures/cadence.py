"""When a center must post what (按期公开): the one place for the due rule.

A rule (``CadenceRule``) says a type of disclosure is due every month, quarter or year by
``due_day`` of the month after the period ends (clamped to that month's length), or for
a major matter within ``within_days`` of its decision. The district's defaults
(``center`` empty) apply to every center; a center's own rule for the same type and
frequency replaces the default, and a center rule with ``active=False`` switches the
default off for that center.

An obligation is one period a center's board owes: from the period holding the board's
``tracking_from`` up to the one running today. It is *posted* when a live disclosure on
the center's board has the same type and the same period (a yearly rule is met only by a
yearly disclosure), *overdue* once its due date has passed without one, and *due*
otherwise. The admin report, the dashboard panel, the reminders and the public board's
"下次应公开" all read ``obligations`` / ``cadence_report`` / ``next_due``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from disclosures.models import (
    CadenceFrequency,
    CadenceRule,
    DisclosureBoardPage,
    DisclosureKind,
    DisclosurePage,
    Period,
    PeriodKind,
)

POSTED = "posted"
DUE = "due"
OVERDUE = "overdue"

# The admin report and the dashboard call "due soon" what falls due within this many days.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class Obligation:
    """One period (or major matter) a center's board owes."""

    center: object  # district.CenterPage
    kind: str
    period: Period
    due_on: date
    status: str  # POSTED, DUE or OVERDUE
    page: DisclosurePage | None = None  # the live disclosure when posted
    draft: DisclosurePage | None = field(default=None, compare=False)  # an unpublished one
    board: DisclosureBoardPage | None = field(default=None, compare=False)
    rule: CadenceRule | None = field(default=None, compare=False)

    @property
    def kind_label(self) -> str:
        return str(DisclosureKind(self.kind).label)

    @property
    def label(self) -> str:
        """ "2026年10月 财务公开"; a matter: "2026年11月20日 重大事项（居务公开）"."""
        if self.period.kind == PeriodKind.MATTER:
            title = self.draft.title if self.draft else self.page.title if self.page else ""
            return f"{self.period.label} {title or '重大事项'}（{self.kind_label}）"
        return f"{self.period.label} {self.kind_label}"

    @property
    def due_label(self) -> str:
        """ "2026年12月10日"."""
        return f"{self.due_on.year}年{self.due_on.month}月{self.due_on.day}日"

    @property
    def is_posted(self) -> bool:
        return self.status == POSTED

    @property
    def is_overdue(self) -> bool:
        return self.status == OVERDUE

    def days_overdue(self, today: date) -> int:
        return max((today - self.due_on).days, 0)

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


# -- the rules ---------------------------------------------------------------------------


def rules_for(center, rules=None) -> list[CadenceRule]:
    """The rules in force for ``center``: the district's active defaults, each replaced by
    the center's own rule for the same type and frequency (dropped when that one is
    inactive), plus the center's other active rules. ``rules``: prefetched rules (defaults
    and this center's), else they are queried."""
    if rules is None:
        rules = CadenceRule.objects.filter(Q(center__isnull=True) | Q(center_id=center.pk))
    chosen: dict[tuple[str, str], CadenceRule] = {}
    for rule in sorted(rules, key=lambda rule: rule.center_id is not None):
        if rule.center_id not in (None, center.pk):
            continue
        chosen[(rule.kind, rule.frequency)] = rule  # the center's come last and win
    order = {kind: n for n, kind in enumerate(DisclosureKind.values)}
    frequencies = {frequency: n for n, frequency in enumerate(CadenceFrequency.values)}
    return sorted(
        (rule for rule in chosen.values() if rule.active),
        key=lambda rule: (frequencies.get(rule.frequency, 9), order.get(rule.kind, 9)),
    )


def due_date(rule: CadenceRule, period: Period) -> date:
    """``due_day`` of the month after the period ends (the 31st in a 30-day month is its
    30th); a major matter: its decision date plus ``within_days``."""
    if rule.frequency == CadenceFrequency.MATTER or period.kind == PeriodKind.MATTER:
        return period.on + timedelta(days=rule.within_days)
    following = period.ends_on + timedelta(days=1)
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(max(rule.due_day, 1), last))


# -- obligations ---------------------------------------------------------------------------


def _periods(frequency: str, tracking_from: date, today: date):
    """The periods from the one holding ``tracking_from`` through those that have ended
    by ``today``, plus the next one (still running, or not begun)."""
    period = Period.containing(frequency, tracking_from)
    while period.ends_on < today:
        yield period
        period = period.following()
    yield period


def _obligations(center, board, rules, disclosures, today) -> list[Obligation]:
    """The obligations of ``center`` from prefetched data (no query): ``rules`` as for
    ``rules_for``, ``disclosures`` every disclosure page on ``board``."""
    if board is None:
        return []
    live, drafts = {}, {}
    matters = []
    for page in disclosures:
        if page.period_kind == PeriodKind.MATTER:
            matters.append(page)
            continue
        key = (page.kind, page.period_kind, page.period_year, page.period_number)
        (live if page.live else drafts).setdefault(key, page)

    found = []
    for rule in rules_for(center, rules):
        if rule.frequency == CadenceFrequency.MATTER:
            for page in matters:
                if page.kind != rule.kind or not page.matter_date:
                    continue
                if page.matter_date < board.tracking_from:
                    continue
                found.append(_matter_obligation(center, board, rule, page, today))
            continue
        for period in _periods(rule.frequency, board.tracking_from, today):
            key = (rule.kind, period.kind, period.year, period.number)
            page = live.get(key)
            due_on = due_date(rule, period)
            status = POSTED if page else OVERDUE if due_on < today else DUE
            found.append(
                Obligation(
                    center,
                    rule.kind,
                    period,
                    due_on,
                    status,
                    page,
                    draft=drafts.get(key),
                    board=board,
                    rule=rule,
                )  # fmt: skip
            )
    found.sort(key=lambda obligation: (obligation.due_on, obligation.kind))
    return found


def _matter_obligation(center, board, rule, page, today) -> Obligation:
    period = Period(PeriodKind.MATTER, page.matter_date.year, on=page.matter_date)
    due_on = due_date(rule, period)
    if page.live:
        return Obligation(center, rule.kind, period, due_on, POSTED, page, board=board, rule=rule)
    status = OVERDUE if due_on < today else DUE
    return Obligation(center, rule.kind, period, due_on, status, draft=page, board=board, rule=rule)


def obligations(center, board=None, today: date | None = None) -> list[Obligation]:
    """Every obligation of ``center``'s board (``board``: the center's 公开栏, looked up when
    not given), earliest due first. Empty when the center has no board."""
    today = today or timezone.localdate()
    return cadence_report([center], today, boards={center.pk: board} if board else None)[0][1]


def boards_of(centers) -> dict[int, DisclosureBoardPage]:
    """Each center's board (one query)."""
    if not centers:
        return {}
    by_path = {center.path: center.pk for center in centers}
    boards = DisclosureBoardPage.objects.filter(
        reduce(or_, (Q(path__startswith=c.path, depth=c.depth + 1) for c in centers))
    )
    steplen = DisclosureBoardPage.steplen
    return {by_path[board.path[:-steplen]]: board for board in boards}


def _disclosures_on(boards) -> dict[int, list[DisclosurePage]]:
    """The disclosure pages on each board, live or not, keyed by board id (one query)."""
    if not boards:
        return {}
    by_path = {board.path: board.pk for board in boards}
    pages = (
        DisclosurePage.objects.filter(
            reduce(or_, (Q(path__startswith=b.path, depth=b.depth + 1) for b in boards))
        )
        .only(
            "id",
            "path",
            "depth",
            "title",
            "slug",
            "url_path",
            "live",
            "kind",
            "period_kind",
            "period_year",
            "period_number",
            "matter_date",
        )  # fmt: skip
        .order_by("path")
    )
    found: dict[int, list[DisclosurePage]] = {board.pk: [] for board in boards}
    steplen = DisclosurePage.steplen
    for page in pages:
        found[by_path[page.path[:-steplen]]].append(page)
    return found


def cadence_report(centers, today: date | None = None, *, boards=None):
    """``[(center, [Obligation, …]), …]`` for ``centers`` (a list or queryset of
    CenterPage), in their order, in three queries whatever their number: the boards, the
    rules, the disclosures. A center without a board has no obligations."""
    today = today or timezone.localdate()
    centers = list(centers)
    if boards is None:
        boards = boards_of(centers)
    ids = [center.pk for center in centers]
    rules = list(CadenceRule.objects.filter(Q(center__isnull=True) | Q(center_id__in=ids)))
    pages = _disclosures_on([board for board in boards.values() if board is not None])
    report = []
    for center in centers:
        board = boards.get(center.pk)
        on_board = pages.get(board.pk, []) if board else []
        report.append((center, _obligations(center, board, rules, on_board, today)))
    return report


def next_due(board, today: date | None = None) -> Obligation | None:
    """What a center's board must post next: the earliest not-posted obligation (an
    overdue one before any upcoming one, as they fall due earlier). None for a street's
    board (it gathers its centers' disclosures and owes nothing itself) and when nothing
    is owed."""
    from district.models import CenterPage

    center = board.get_parent().specific
    if not isinstance(center, CenterPage):
        return None
    owed = [
        obligation for obligation in obligations(center, board, today) if not obligation.is_posted
    ]
    return owed[0] if owed else None


def needs_attention(found, today: date, soon_days: int = DUE_SOON_DAYS) -> list[Obligation]:
    """The overdue obligations and those falling due within ``soon_days``."""
    horizon = today + timedelta(days=soon_days)
    return [
        obligation
        for obligation in found
        if obligation.is_overdue or (obligation.status == DUE and obligation.due_on <= horizon)
    ]
