"""The query parameters of the HSDS API, read as Open Referral's OpenAPI document defines
them (``catalog/hsds/schema/openapi.json``), with a Chinese message for each one refused.

The official document types ``page`` and ``per_page`` as plain integers and the ids as plain
strings, so a client written from it may send any of those: an integer out of range is
brought into range, and an id that is not a UUID simply names nothing (404), rather than
being refused as malformed (400). Text that is not what the type says (``page=abc``,
``full=maybe``, a ``modified_after`` that is no date) is refused with 400.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from django.db.models import Avg
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from catalog.api.pagination import (
    HSDS_DEFAULT_PER_PAGE,
    HSDS_MAX_PER_PAGE,
    HSDS_MINIMAL_PER_PAGE,
    PageRequest,
)
from catalog.filters import InvalidParameters, ParameterProblem

#: The most services a ``search`` ranks; the rest of a broad word's matches are left out.
SEARCH_LIMIT = 1_000
FORMATS = ("json", "ndjson")
TRUE, FALSE = ("true", "1"), ("false", "0")
#: Beyond any page count or page size: where an absurd integer is brought to.
HUGE = Decimal(10**18)


@dataclass(frozen=True)
class Place:
    """The point ``proximity`` is measured from: a postcode's centroid."""

    postcode: str
    latitude: float
    longitude: float
    radius_m: float


class HsdsParameters:
    """Reads one request's parameters; every problem is collected before any is raised."""

    def __init__(self, params):
        self.params = params
        self.problems: list[ParameterProblem] = []

    def text(self, name: str) -> str:
        # PostgreSQL refuses a NUL byte in a query: free text loses it.
        return str(self.params.get(name) or "").replace("\x00", "").strip()

    def given_empty(self, name: str, what: str) -> bool:
        """A parameter sent without a value (``page=``): the official document gives none
        of its integers, booleans or dates an empty form, so it is refused, not ignored."""
        if name in self.params and not self.text(name):
            self.problems.append(ParameterProblem(name, f"{name}不能为空，应为{what}。"))
            return True
        return False

    def flag(self, name: str) -> bool:
        if self.given_empty(name, "true或false"):
            return False
        value = self.text(name).lower()
        if value in ("", *FALSE):
            return False
        if value in TRUE:
            return True
        self.problems.append(
            ParameterProblem(name, f"{name}只能是true或false（1或0），收到“{value[:20]}”。")
        )
        return False

    def integer(self, name: str) -> int | None:
        if self.given_empty(name, "整数"):
            return None
        raw = self.text(name)
        if not raw:
            return None
        try:
            # JSON Schema counts 5.0 (and 1e3) as integers, so a client may send them.
            value = Decimal(raw)
            if value.is_finite() and value == value.to_integral_value():
                # Brought within bounds before converting: 1e999999 is an integer too.
                return int(max(min(value, HUGE), -HUGE))
        except ArithmeticError:  # decimal.InvalidOperation: not a number at all
            pass
        self.problems.append(ParameterProblem(name, f"{name}应为整数，收到“{raw[:20]}”。"))
        return None

    def page_request(self, *, minimal: bool = False) -> PageRequest:
        default, most = (
            (HSDS_MINIMAL_PER_PAGE, HSDS_MINIMAL_PER_PAGE)
            if minimal
            else (HSDS_DEFAULT_PER_PAGE, HSDS_MAX_PER_PAGE)
        )
        number = self.integer("page")
        size = self.integer("per_page")
        number = 1 if number is None or number < 1 else number
        size = default if size is None or size < 1 else min(size, most)
        return PageRequest(number, size, "per_page")

    def format(self) -> str:
        value = self.text("format").lower() or "json"
        if value not in FORMATS:
            self.problems.append(
                ParameterProblem(
                    "format", f"format只能是json或ndjson（逐行的JSON），收到“{value[:20]}”。"
                )
            )
            return "json"
        return value

    def reference(self, name: str, queryset, what: str):
        """The object an id parameter names; a value that names nothing is not found (404)."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            found = queryset.filter(pk=uuid.UUID(raw)).first()
        except ValueError:  # any string is a valid id to the official document
            found = None
        if found is None:
            self.problems.append(ParameterProblem(name, f"没有编号为“{raw[:40]}”的{what}。", 404))
        return found

    def modified_after(self) -> datetime | None:
        if self.given_empty("modified_after", "ISO 8601时间"):
            return None
        raw = self.text("modified_after")
        if not raw:
            return None
        try:
            moment = parse_datetime(raw)
            if moment is None and (day := parse_date(raw)) is not None:
                moment = datetime.combine(day, time.min)
            if moment is not None:
                if timezone.is_naive(moment):  # Beijing time, as the district means it
                    moment = timezone.make_aware(moment)
                # In UTC: PostgreSQL refuses offsets beyond ±15:59 (+21:09 parses here).
                moment = moment.astimezone(UTC)
        except (ValueError, OverflowError):  # impossible (month 13), or past year 9999
            moment = None
        if moment is None:
            self.problems.append(
                ParameterProblem(
                    "modified_after",
                    "modified_after应为ISO 8601时间，如2026-01-01T00:00:00+08:00或2026-01-01，"
                    f"收到“{raw[:40]}”。",
                )
            )
            return None
        return moment

    def place(self) -> tuple[str, Place | None]:
        """``postcode`` and, with ``proximity`` (metres), the circle around its centroid."""
        from catalog.models import Location

        postcode = self.text("postcode")
        raw = self.text("proximity")
        if not raw:
            return postcode, None
        try:
            radius = float(raw)
        except ValueError:
            radius = None
        if radius is None or not 0 <= radius < float("inf"):
            self.problems.append(
                ParameterProblem("proximity", f"proximity应为米数（非负数），收到“{raw[:20]}”。")
            )
            return postcode, None
        if not postcode:  # nothing to measure from: the official document allows it alone
            return postcode, None
        centroid = postcode_centroid(postcode, Location.objects.all())
        if centroid is None:
            self.problems.append(
                ParameterProblem(
                    "postcode", f"没有邮编为“{postcode[:20]}”且登记了经纬度的服务地点。", 404
                )
            )
            return postcode, None
        return postcode, Place(postcode, *centroid, radius)

    def raise_problems(self) -> None:
        if self.problems:
            raise InvalidParameters(self.problems)


def postcode_centroid(postcode: str, locations) -> tuple[float, float] | None:
    """A postcode's centroid: the mean of the coordinates of the located places with that
    postal code (the district's own centers, not a national gazetteer)."""
    centre = locations.filter(
        addresses__postal_code=postcode, latitude__isnull=False, longitude__isnull=False
    ).aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    if centre["latitude"] is None:
        return None
    return float(centre["latitude"]), float(centre["longitude"])
