"""What of an honor board's entry residents see, and which entries a board shows.

The one privacy rule of the honor boards, called by the board pages, the archive and the
kiosk's 光荣榜 slide alike:

- A person's or a family's name is masked (张晓明 → 张*明) and their photo is not shown
  unless the editor recorded that consent was given (``consent_given``). A family is named
  after its people (王建国家庭, 王建国、李秀英家庭), so each person's name in it is masked
  and the family word kept: 王*国家庭, 王*国、李*英家庭.
- Teams and organisations (团队, 单位) are not private persons: their names are shown in
  full and their photos shown (a group's photo is the editor's to choose).
- A citation is shown with residents' phone and ID numbers masked and, without consent,
  with the recipient's full name (and a person's given name) replaced by the masked one.

Which entries: a board shows the entries whose period covers the day (``current_entries``)
and keeps the ended ones in its archive (``archived_entries``). A street's board shows its
own entries and those of its centers' live boards, each of these knowing its center
(``entry.from_center``; None for the board's own entries).

Each listing is a fixed number of queries whatever the number of entries: the award and
photo come with the entries, the photos' renditions (``PHOTO_SPEC``) in one more query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.db.models import Prefetch, QuerySet
from wagtail.images import get_image_model
from wagtail.models import Page

from honors.models import HonorBoardPage, HonorEntry, RecipientKind
from jiamenkou.privacy import mask_name, mask_personal_numbers

#: The rendition of an entry's photo on the boards (portrait, 3:4).
PHOTO_SPEC = "fill-300x400"
#: Recipients named after people: masked and without a photo unless consent was given.
NAMED_AFTER_PEOPLE = {RecipientKind.PERSON, RecipientKind.FAMILY}
#: How a family's name ends (王建国家庭, 李家, 张氏之家); the rest names its people.
FAMILY_WORDS = ("家庭", "之家", "一家", "家")
#: What separates the people a family is named after (王建国、李秀英). Not 和 or 与, which
#: may be part of a name (王和平).
PEOPLE_SEPARATORS = re.compile(r"([、，,/／;；\s]+)")


# -- the privacy rule --------------------------------------------------------------------
def is_masked(entry: HonorEntry) -> bool:
    """True when the entry is a person or family without recorded consent."""
    return entry.recipient_kind in NAMED_AFTER_PEOPLE and not entry.consent_given


def shown_name(entry: HonorEntry) -> str:
    """The name residents may read: in full with consent or for a team or organisation,
    else masked (张*明, 王*国家庭)."""
    if not is_masked(entry):
        return entry.name
    if entry.recipient_kind == RecipientKind.FAMILY:
        return _mask_family(entry.name)
    return mask_name(entry.name)


def shows_photo(entry: HonorEntry) -> bool:
    """True when the entry has a photo residents may see (consent, or a team's or an
    organisation's)."""
    return entry.photo_id is not None and not is_masked(entry)


def shown_citation(entry: HonorEntry) -> str:
    """The citation with personal numbers masked and, when the name is masked, the full
    names (and given names) of the people it names replaced by their masked forms."""
    text = mask_personal_numbers(entry.citation or "")
    if not is_masked(entry):
        return text
    for person in _people(entry):
        text = text.replace(person, mask_name(person))
        given = person[1:]
        if len(person) >= 3 and not person.isascii():
            # 晓明 of 张晓明: the way a citation often names someone a second time.
            text = text.replace(given, mask_name(person)[1:])
    return text


def _people(entry: HonorEntry) -> list[str]:
    name = entry.name.strip()
    if entry.recipient_kind == RecipientKind.FAMILY:
        name = _family_stem(name)[0]
    parts = PEOPLE_SEPARATORS.split(name)
    return [part for part in parts if len(part) >= 2 and not PEOPLE_SEPARATORS.fullmatch(part)]


def _family_stem(name: str) -> tuple[str, str]:
    """王建国家庭 → ("王建国", "家庭")."""
    for word in FAMILY_WORDS:
        if name.endswith(word) and len(name) > len(word):
            return name[: -len(word)], word
    return name, ""


def _mask_family(name: str) -> str:
    stem, word = _family_stem(name.strip())
    parts = PEOPLE_SEPARATORS.split(stem)
    return (
        "".join(part if PEOPLE_SEPARATORS.fullmatch(part) else mask_name(part) for part in parts)
        + word
    )


@dataclass(frozen=True)
class ShownEntry:
    """What a page may show of an entry; templates read this, never the entry itself."""

    name: str
    kind: str
    award: object
    photo: object  # the Image, or None when it may not be shown
    citation: str
    period_start: date
    period_end: date
    from_center: Page | None

    @property
    def photo_alt(self) -> str:
        """The photo's text alternative: the shown name and the award (张晓明，好邻居)."""
        return f"{self.name}，{self.award.name}"


def shown_entry(entry: HonorEntry) -> ShownEntry:
    return ShownEntry(
        name=shown_name(entry),
        kind=entry.get_recipient_kind_display(),
        award=entry.award,
        photo=entry.photo if shows_photo(entry) else None,
        citation=shown_citation(entry),
        period_start=entry.period_start,
        period_end=entry.period_end,
        from_center=getattr(entry, "from_center", None),
    )


# -- which entries a board shows ----------------------------------------------------------
def shown_boards(board: HonorBoardPage) -> dict[int, Page | None]:
    """{board id: the center it belongs to} of the boards whose entries ``board`` shows:
    itself (center None) and, for a street's board, its centers' live public boards."""
    owner_path = board.path[: -board.steplen]
    # An honor board's parent is a center or a street, and a center is a street's child:
    # a board one level deeper under the same owner can only be a center's, under a street.
    boards = list(
        HonorBoardPage.objects.live()
        .public()
        .filter(path__startswith=owner_path, depth=board.depth + 1)
        .values_list("pk", "path")
    )
    shown: dict[int, Page | None] = {board.pk: None}
    if boards:
        centers = Page.objects.filter(path__in={path[: -board.steplen] for _pk, path in boards})
        by_path = {center.path: center for center in centers}
        shown.update({pk: by_path.get(path[: -board.steplen]) for pk, path in boards})
    return shown


def entries_on(boards) -> QuerySet:
    """The entries of ``boards`` (ids), with their award, photo and its renditions."""
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=PHOTO_SPEC)
    return (
        HonorEntry.objects.filter(board_id__in=list(boards))
        .select_related("award", "photo")
        .prefetch_related(
            Prefetch("photo__renditions", queryset=renditions, to_attr="prefetched_renditions")
        )
    )


def label_centers(entries, boards: dict[int, Page | None]) -> list[HonorEntry]:
    """``entries`` as a list, each knowing the center whose board it is on
    (``entry.from_center``, None for the board's own)."""
    entries = list(entries)
    for entry in entries:
        entry.from_center = boards.get(entry.board_id)
    return entries


def current_entries(board: HonorBoardPage, day: date, *, draft: bool = False) -> list[HonorEntry]:
    """The entries on ``board`` on ``day`` (period_start <= day <= period_end), by award
    (the awards' order), then as the editors ordered them; a street's board adds its
    centers' (``entry.from_center`` says whose).

    ``draft``: the board's own entries as ``board`` holds them in memory (Wagtail's preview
    of the editor's unsaved form), not as last published."""
    boards = shown_boards(board)
    entries = entries_on(boards).filter(period_start__lte=day, period_end__gte=day)
    if not draft:
        order = ("award__sort_order", "award__name", "board__path", "sort_order", "pk")
        return label_centers(entries.order_by(*order), boards)
    own = [
        entry
        for entry in board.entries.all()
        if entry.award_id and entry.period_start and entry.period_end
        if entry.period_start <= day <= entry.period_end
    ]
    entries = label_centers([*own, *entries.exclude(board_id=board.pk)], boards)
    return sorted(entries, key=_board_order)


def _board_order(entry: HonorEntry) -> tuple:
    center = entry.from_center
    return (
        entry.award.sort_order,
        entry.award.name,
        center.path if center else "",
        entry.sort_order or 0,
        entry.pk or 0,
    )


def archived_entries(board: HonorBoardPage, day: date, year: int | None = None, award=None):
    """The entries whose period ended before ``day``, newest first, as a QuerySet (page
    it, then ``label_centers``): those on the board at some time in ``year`` when given,
    of ``award`` (an Award or its id) when given."""
    entries = entries_on(shown_boards(board)).filter(period_end__lt=day)
    if year is not None:
        entries = in_year(entries, year)
    if award is not None:
        entries = entries.filter(award=award)
    return entries.order_by("-period_end", "award__sort_order", "award__name", "sort_order", "pk")


def in_year(entries, year: int):
    """Those of ``entries`` that were on the board at some time in ``year``."""
    return entries.filter(period_start__year__lte=year, period_end__year__gte=year)


def archive_years(entries) -> list[int]:
    """The years, newest first, in which some of ``entries`` were on the board."""
    spans = entries.order_by().values_list("period_start__year", "period_end__year").distinct()
    years = set()
    for first, last in spans:
        years.update(range(first, last + 1))
    return sorted(years, reverse=True)


def by_award(entries) -> list[tuple]:
    """[(award, [entries])] in the order of ``entries`` (which lists them award by award)."""
    groups = groupby(entries, key=lambda entry: entry.award_id)
    return [(group[0].award, group) for group in (list(each) for _id, each in groups)]


__all__ = [
    "PHOTO_SPEC",
    "archive_years",
    "archived_entries",
    "by_award",
    "current_entries",
    "in_year",
    "is_masked",
    "label_centers",
    "shown_boards",
    "ShownEntry",
    "shown_citation",
    "shown_entry",
    "shown_name",
    "shows_photo",
]
