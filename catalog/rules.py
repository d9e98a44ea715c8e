"""Catalog rules every way in (admin form, HSDS import, Excel upload) must enforce alike.

Each check returns (where, message) pairs: ``where`` names the offending value
("reference", ("amount", index), "fees_description") so callers can attach the
message to a JSON path, a form field or a spreadsheet cell.
"""

from decimal import Decimal

from catalog.models.services import FREE_KINDS, ServiceKind

FREE_WORDING = "不收费"


def price_text(value: Decimal) -> str:
    """22.00 -> "22", 0.50 -> "0.5"."""
    return format(value.normalize(), "f")


def price_problems(
    kind: str | None,
    reference: Decimal | None,
    amounts: list[Decimal | None],
    fees_description: str,
) -> list[tuple[object, str]]:
    problems: list[tuple[object, str]] = []
    if kind == ServiceKind.LOW_COST:
        if reference is None:
            problems.append(("reference", "低偿服务必须注明市场参考价。"))
        for index, amount in enumerate(amounts):
            if reference is not None and amount is not None and amount >= reference:
                problems.append(
                    (
                        ("amount", index),
                        f"低偿服务价格{price_text(amount)}元不低于市场参考价{price_text(reference)}元，"
                        "不能按低偿服务登记。",
                    )
                )
    elif reference is not None:
        problems.append(("reference", "只有低偿服务才填写市场参考价。"))
    if kind in FREE_KINDS:
        for index, amount in enumerate(amounts):
            if amount:
                problems.append(
                    (("amount", index), f"{ServiceKind(kind).label}不收费，金额应为0。")
                )
        if FREE_WORDING not in (fees_description or ""):
            problems.append(("fees_description", "免费服务的收费标准须写明“不收费”。"))
    return problems
