"""The activities tests are written against a fixed week (Monday 2026-12-07 onwards, seen
from Sunday 2026-12-06 10:00 in the district): what is "upcoming", "started" or "past"
must not change with the day the suite runs. The clock ticks on from there."""

from datetime import datetime

import pytest
import time_machine

from catalog.opening import LOCAL_TZ

TEST_NOW = datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True, scope="package")
def fixed_week():
    # Package scope: in place before the test classes' setUpTestData builds their data.
    with time_machine.travel(TEST_NOW, tick=True):
        yield
