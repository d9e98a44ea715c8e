"""Builders for disclosure boards and disclosures; every argument has a default."""

from datetime import date

from disclosures.models import DisclosureBoardPage, DisclosurePage
from tests.district.builders import build_center, build_home, build_street


def build_centers():
    """A district with one street and two community centers: (home, street, [centers])."""
    home = build_home()
    street = build_street(home)
    centers = [build_center(street, "T-01"), build_center(street, "T-02", slug="t-02")]
    return home, street, centers


def build_board(parent, **fields) -> DisclosureBoardPage:
    """The 公开栏 of a center (or street), tracking from 2026-07-01 by default."""
    board = DisclosureBoardPage(
        **{"title": "公开栏", "slug": "gongkai", "tracking_from": date(2026, 7, 1), **fields}
    )
    parent.add_child(instance=board)
    return board


def text_body(text="本月居务事项如下。"):
    return [("text", f"<p>{text}</p>")]


def disclosure_fields(**fields) -> dict:
    """A month's 居务公开 for November 2026, posted 2026-12-01 to 2026-12-31."""
    return {
        "title": "2026年11月居务公开",
        "kind": "affairs",
        "period_kind": "month",
        "period_year": 2026,
        "period_number": 11,
        "posting_from": date(2026, 12, 1),
        "posting_until": date(2026, 12, 31),
        "body": text_body(),
        **fields,
    }


def build_disclosure(board, *, publish=True, rows=(), **fields) -> DisclosurePage:
    """A disclosure on ``board``; published (without the workflow) unless publish=False.
    ``rows``: finance rows as dicts (date, item, income, expenditure, voucher)."""
    from disclosures.models import FinanceRow

    values = disclosure_fields(**fields)
    values.setdefault(
        "slug", f"d-{values['kind']}-{values['period_year']}-{values.get('period_number') or 0}"
    )
    # A draft is not live (Wagtail's ``live`` defaults to True for a new page).
    page = DisclosurePage(**{"live": publish, **values})
    page.finance_rows = [FinanceRow(**row) for row in rows]
    board.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


def edit_form_data(page, *, texts=None, **overrides) -> dict:
    """What the admin's edit form posts for ``page`` as it stands: its fields and typed
    finance rows; ``texts`` replaces the body with text blocks; ``overrides`` replace fields
    (a ``finance_sheet`` upload, ``mask_numbers="on"`` …)."""
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    rows = list(page.finance_rows.all())
    data = {
        "title": page.title,
        "slug": page.slug,
        "kind": page.kind,
        "period_kind": page.period_kind,
        "period_year": str(page.period_year),
        "period_number": str(page.period_number or ""),
        "matter_date": page.matter_date.isoformat() if page.matter_date else "",
        "posting_from": page.posting_from.isoformat(),
        "posting_until": page.posting_until.isoformat(),
        "body": streamfield([("text", rich_text(text)) for text in texts or ()]),
        "opening_balance": "" if page.opening_balance is None else str(page.opening_balance),
        "finance_source": "",
        "correction_note": "",
        "finance_rows": inline_formset(
            [
                {
                    "id": str(row.pk),
                    "date": row.date.isoformat(),
                    "item": row.item,
                    "income": str(row.income),
                    "expenditure": str(row.expenditure),
                    "voucher": row.voucher,
                }
                for row in rows
            ],
            initial=len(rows),
        ),
    }
    data.update(overrides)
    return nested_form_data(data)
