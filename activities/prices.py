"""What an activity costs, under the catalog's price rules (``catalog.rules``): a low-cost
activity names its market reference price and costs less; a free one charges nothing."""

from catalog.models.services import ServiceKind
from catalog.rules import price_problems, price_text

FREE = "free"
LOW_COST = "low_cost"


def activity_price_problems(activity) -> list[tuple[str, str]]:
    """(field, message) pairs, the catalog's rule applied to the activity's one price."""
    if activity.cost != LOW_COST:
        if activity.price:
            return [("price", "免费活动不收费，价格应留空或为0。")]
        return []
    if activity.price is None:
        return [("price", "低偿活动必须填写价格。")]
    fields = {"reference": "market_reference_price", ("amount", 0): "price"}
    return [
        (fields.get(where, "price"), message)
        for where, message in price_problems(
            ServiceKind.LOW_COST, activity.market_reference_price, [activity.price], ""
        )
    ]


def activity_price_label(activity) -> str:
    """免费, or 低偿 10元/次（市场价30元）."""
    if activity.cost != LOW_COST or activity.price is None:
        return "免费"
    unit = activity.price_unit or "元"
    amount = price_text(activity.price)
    text = f"低偿 {amount}{unit}" if unit.startswith("元") else f"低偿 {amount}元（{unit}）"
    if activity.market_reference_price is not None:
        text += f"（市场价{price_text(activity.market_reference_price)}元）"
    return text
