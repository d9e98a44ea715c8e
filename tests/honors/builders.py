"""Builders for honor boards and the points ledger; every argument has a default."""

from datetime import date

from honors.models import Award, HonorBoardPage, HonorEntry, Participant, PointsEntry


def award(name="好邻居") -> Award:
    return Award.objects.get_or_create(name=name)[0]


def build_honor_board(parent, entries=(), **fields) -> HonorBoardPage:
    """The 光荣榜 of a center (or street), published, with ``entries`` (dicts of HonorEntry
    fields; ``award`` may be a name)."""
    board = HonorBoardPage(**{"title": "光荣榜", "slug": "guangrongbang", **fields})
    # Numbered as the admin's inline panel numbers them.
    board.entries = [
        HonorEntry(sort_order=number, **entry_fields(**values))
        for number, values in enumerate(entries)
    ]
    parent.add_child(instance=board)
    board.save_revision().publish()
    board.refresh_from_db()
    return board


def entry_fields(**values) -> dict:
    """A 好邻居 person for 2026, without consent, unless overridden."""
    defaults = {
        "recipient_kind": "person",
        "name": "张晓明",
        "award": "好邻居",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "citation": "常年照顾独居老人。",
    }
    values = {**defaults, **values}
    if isinstance(values["award"], str):
        values["award"] = award(values["award"])
    return values


def participant(center, name="张晓明", mobile="13912345678", **fields) -> Participant:
    return Participant.objects.create(center=center, name=name, mobile=mobile, **fields)


def add_points(who, points=10, *, day=date(2026, 11, 15), reason="社区志愿服务", **fields):
    """A ledger entry written as an editor would (source manual)."""
    return PointsEntry.objects.create(
        participant=who,
        center=fields.pop("center", who.center),
        points=points,
        reason=reason,
        date=day,
        source=fields.pop("source", "manual"),
        **fields,
    )
