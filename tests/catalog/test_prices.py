"""Prices read as residents say them: the amount runs on into a unit description."""

from decimal import Decimal

import pytest

from catalog.models import CostOption


@pytest.mark.parametrize(
    ("amount", "description", "expected"),
    [
        ("45.00", "元/小时，2小时起订", "45元/小时，2小时起订"),
        ("150", "元起", "150元起"),
        ("12.50", "含材料费", "12.5元（含材料费）"),
        ("0", "不收费", "0元"),
        ("800", "", "800元"),
    ],
)
def test_price_label(amount, description, expected):
    option = CostOption(amount=Decimal(amount), amount_description=description)
    assert option.price_label == expected


def test_no_amount_no_price():
    assert CostOption(amount=None, amount_description="面议").price_label == ""


@pytest.mark.django_db
def test_the_district_list_shows_prices_without_a_repeated_unit(client):
    from catalog.demo import load_catalog_demo
    from district.demo.loader import load_district

    load_district(password="price-password")
    load_catalog_demo("price-password")
    # 家庭日常保洁's page of the list (the list goes 25 services a page).
    page = client.get("/fuwu/", {"kind": "market", "topic": "daily_life"}).content.decode()
    assert "家庭日常保洁" in page
    assert "45元/小时，2小时起订" in page
    assert "元（元" not in page
