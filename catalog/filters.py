"""The catalog's filters, in one place for the service list pages and the JSON APIs.

``ServiceFilterSet`` holds what residents filter by (a django-filter FilterSet);
``services_with_term`` and ``services_in_taxonomy`` what the HSDS API's taxonomy
parameters mean (catalog/api/hsds_params.py reads that API's parameters)::

    filters = ServiceFilterSet(request.GET, queryset=Service.objects.all())
    if not filters.is_valid():
        filters.problems        # [ParameterProblem("kind", "未知的服务类型“xxx”。")]
    services = filters.qs       # a QuerySet, valid parameters applied, defunct hidden

Invalid values never raise: each becomes a ``ParameterProblem`` naming the parameter, in
Chinese, which the APIs answer with HTTP 400 and a page can show above its list; the valid
parameters still apply. Unknown parameters (``page``, ``utm_…``) are ignored.

``open_now`` cannot be written in SQL (recurrences, seasons, the hours precedence), so it is
evaluated in Python over the set the other filters have already narrowed: one pass with the
schedules prefetched (a fixed number of queries), and the result is returned as
``queryset.filter(pk__in=…)``, still a QuerySet for pagination and further prefetching.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

import django_filters
from django import forms
from django.db.models import Case, Exists, OuterRef, Q, Value, When

from catalog.clock import clock_at, open_service_ids
from catalog.models import (
    CostOption,
    Location,
    Service,
    ServiceChannel,
    ServiceKind,
    ServiceStatus,
    TaxonomyTerm,
)
from catalog.models.services import FREE_KINDS, VISIBLE_STATUSES, CostCategory
from catalog.models.taxonomy import (
    AUDIENCE_TAXONOMY,
    CHANNEL_TAXONOMY,
    GUIDE_TAXONOMY,
    KIND_TAXONOMY,
    TOPIC_TAXONOMY,
)
from catalog.opening import OpeningClock

# VISIBLE_STATUSES (what residents see: all but defunct) is defined with the Service model,
# whose listing index covers those services; the pages, APIs and search import it from here.
# URL spelling of the status values ("temporarily closed" has a space in HSDS).
STATUS_BY_PARAMETER = {
    "active": ServiceStatus.ACTIVE,
    "temporarily_closed": ServiceStatus.TEMPORARILY_CLOSED,
    "inactive": ServiceStatus.INACTIVE,
}
ANY = "全部"  # the empty choice of a rendered filter form
# Second spellings accepted for a parameter, mapped to the value its form field knows, so
# that a rendered filter form offers each choice once.
ALIASES = {
    "status": {"temporarily closed": "temporarily_closed"},
    "open_now": {"true": "1", "false": "0"},
    "full": {"1": "true", "0": "false"},
}

# HSDS guide attributes (taxonomy_term_id of the jiamenkou-guide taxonomy) → a Q that
# holds when the service has that field.
GUIDE_PRESENT = {
    "time_limit": ~Q(time_limit=""),
    "visits": Q(most_visits__isnull=False),
    "legal_basis": ~Q(legal_basis=""),
    "market_reference_price": Q(market_reference_price__isnull=False),
}


# The error code of a well-formed value that names nothing (see ParameterProblem.status).
NOT_FOUND = "not_found"
# The shape of a center's code (HHD-CH-01), as the OpenAPI document declares it: a code of
# another shape is refused (400), one of this shape that no center has is not found (404).
CENTER_CODE = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"


@dataclass(frozen=True)
class ParameterProblem:
    parameter: str
    message: str
    #: 400 for a malformed value; 404 for a well-formed one that names nothing there is (a
    #: center code or an id nobody has, a page past the last): the request was right, what
    #: it asks for is missing.
    status: int = 400

    def __str__(self):
        return self.message


class InvalidParameters(ValueError):
    """Raised where a bad parameter stops the work (a page past the last, a malformed id)."""

    def __init__(self, problems: list[ParameterProblem]):
        self.problems = problems
        super().__init__("；".join(problem.message for problem in problems))


def resolve_aliases(data):
    """``data`` (a dict or QueryDict) with second spellings replaced; copied if changed."""
    changed = {
        name: spellings[data[name]]
        for name, spellings in ALIASES.items()
        if data.get(name) in spellings
    }
    if not changed:
        return data
    data = data.copy()
    for name, value in changed.items():
        data[name] = value
    return data


def cost_category_q(category: str) -> Q:
    """SQL form of ``Service.cost_category``: low-cost by kind; free by kind, or when no
    option charges anything; market otherwise."""
    low_cost = Q(kind=ServiceKind.LOW_COST)
    if category == CostCategory.LOW_COST:
        return low_cost
    charges = Q(Exists(CostOption.objects.filter(service=OuterRef("pk"), amount__gt=0)))
    free_kind = Q(kind__in=FREE_KINDS)
    if category == CostCategory.FREE:
        return ~low_cost & (free_kind | ~charges)
    return ~low_cost & ~free_kind & charges


def store_cost_categories(services) -> int:
    """Store the cost category of each of ``services`` (a Service queryset) in its row
    (``Service.stored_cost_category``, which the cost filter reads), as
    ``cost_category_q`` finds it from the kind and the cost options now in the database:
    one UPDATE, whatever the number of services. Returns the number of rows changed."""
    verdict = Case(
        *(When(cost_category_q(category), then=Value(category)) for category in CostCategory),
        default=Value(CostCategory.MARKET),
    )
    changed = Q()
    for category in CostCategory:
        changed |= cost_category_q(category) & ~Q(stored_cost_category=category)
    return services.order_by().filter(changed).update(stored_cost_category=verdict)


class CenterCodeField(forms.ModelChoiceField):
    """A center by its code: the HSDS location's external identifier, or the code of the
    center page a location is linked to."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        # Checking the shape first also keeps a NUL byte (which PostgreSQL would refuse in
        # a query) out of the database: a bad value, not a 500.
        if not re.fullmatch(CENTER_CODE, str(value)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        location = (
            self.queryset.filter(Q(external_identifier=value) | Q(center__code=value))
            .order_by("pk")
            .first()
        )
        if location is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code=NOT_FOUND, params={"value": value}
            )
        return location


class CenterFilter(django_filters.ModelChoiceFilter):
    field_class = CenterCodeField


class TermCodeField(forms.ModelChoiceField):
    """A taxonomy term by its code; a value with a NUL byte (which PostgreSQL refuses in a
    query) is simply unknown, not a 500."""

    def to_python(self, value):
        if "\x00" in str(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class TermFilter(django_filters.ModelChoiceFilter):
    field_class = TermCodeField


class UuidReferenceField(forms.ModelChoiceField):
    """A row by its UUID: a malformed UUID is invalid, a well-formed one nobody has is
    ``NOT_FOUND``."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            try:
                uuid.UUID(str(value))
            except ValueError:
                raise error from None
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code=NOT_FOUND, params={"value": value}
            ) from None


class UuidReferenceFilter(django_filters.ModelChoiceFilter):
    field_class = UuidReferenceField


def _unknown(what: str) -> dict:
    return {"invalid_choice": f"未知的{what}“%(value)s”。"}


class ProblemsMixin:
    @property
    def problems(self) -> list[ParameterProblem]:
        return [
            ParameterProblem(parameter, message, 404 if error.code == NOT_FOUND else 400)
            for parameter, errors in self.errors.as_data().items()
            for error in errors
            for message in error.messages
        ]


class ServiceFilterSet(ProblemsMixin, django_filters.FilterSet):
    """What residents filter the catalog by. ``moment`` (aware; default now) is the time
    ``open_now`` is judged at; with ``center`` it is judged at that center only."""

    kind = django_filters.ChoiceFilter(
        label="服务类型",
        empty_label=ANY,
        choices=ServiceKind.choices,
        error_messages=_unknown("服务类型"),
    )
    topic = TermFilter(
        label="服务领域",
        empty_label=ANY,
        field_name="topics",
        to_field_name="code",
        queryset=TaxonomyTerm.objects.of(TOPIC_TAXONOMY),
        error_messages=_unknown("服务领域"),
    )
    audience = TermFilter(
        label="服务对象",
        empty_label=ANY,
        field_name="audiences",
        to_field_name="code",
        queryset=TaxonomyTerm.objects.of(AUDIENCE_TAXONOMY),
        error_messages=_unknown("服务对象"),
    )
    center = CenterFilter(
        label="服务中心",
        empty_label=ANY,
        queryset=Location.objects.all(),
        method="filter_center",
        error_messages=_unknown("服务中心"),
    )
    cost = django_filters.ChoiceFilter(
        label="收费",
        empty_label=ANY,
        choices=CostCategory.choices,
        method="filter_cost",
        error_messages=_unknown("收费类型"),
    )
    status = django_filters.ChoiceFilter(
        label="状态",
        empty_label=ANY,
        choices=[(value, status.label) for value, status in STATUS_BY_PARAMETER.items()],
        method="filter_status",
        error_messages=_unknown("服务状态"),
    )
    # Applied last, in Python: see filter_queryset.
    open_now = django_filters.ChoiceFilter(
        label="现在可办",
        empty_label=None,
        choices=[("1", "是"), ("0", "不限")],
        method="filter_nothing",
        error_messages={"invalid_choice": "open_now只能是1或0（true或false），收到“%(value)s”。"},
    )

    class Meta:
        model = Service
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        moment: datetime | None = None,
        clock: OpeningClock | None = None,
        **kwargs,
    ):
        # Unbound would skip filter_queryset, and with it the hiding of defunct services.
        super().__init__(resolve_aliases({} if data is None else data), queryset, **kwargs)
        # The moment and its holidays: given by the caller (who may need them for more
        # than the filter), else read once, here, when open_now is asked for, so that
        # evaluating the queryset stays at its queries.
        self._moment = moment
        self._clock = clock
        if clock is None and self.data.get("open_now") == "1":
            self._clock = clock_at(moment)

    @property
    def clock(self) -> OpeningClock:
        if self._clock is None:
            self._clock = clock_at(self._moment)
        return self._clock

    def filter_center(self, queryset, name, location):
        return queryset.at_location(location)

    def filter_cost(self, queryset, name, category):
        # The rule's stored verdict (cost_category_q), kept by every write.
        return queryset.filter(stored_cost_category=category)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=STATUS_BY_PARAMETER[value])

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        cleaned = self.form.cleaned_data
        if not cleaned.get("status"):
            queryset = queryset.filter(status__in=VISIBLE_STATUSES)
        queryset = super().filter_queryset(queryset)
        if cleaned.get("open_now") == "1":
            queryset = self.open_now_only(queryset, cleaned.get("center"))
        return queryset

    def open_now_only(self, queryset, location=None):
        """The services of ``queryset`` open by ``self.clock`` (at ``location`` if given)."""
        location_id = location.pk if location is not None else None
        return queryset.filter(pk__in=open_service_ids(queryset, self.clock, location_id))

    @property
    def center_location(self) -> Location | None:
        """The center asked for, once the parameters are valid (for per-center hours)."""
        return self.form.cleaned_data.get("center") if self.is_valid() else None


def services_with_term(queryset, term):
    """The services of ``queryset`` an HSDS client finds by ``term`` (``taxonomy_term_id``):
    the kinds, topics, audiences, channels and guide fields all travel as terms."""
    taxonomy = term.taxonomy.name
    if taxonomy == KIND_TAXONOMY:
        return queryset.filter(kind=term.code)
    if taxonomy == TOPIC_TAXONOMY:
        return queryset.filter(topics=term)
    if taxonomy == AUDIENCE_TAXONOMY:
        return queryset.filter(audiences=term)
    if taxonomy == CHANNEL_TAXONOMY:
        return queryset.filter(
            Exists(ServiceChannel.objects.filter(service=OuterRef("pk"), channel=term.code))
        )
    if taxonomy == GUIDE_TAXONOMY and term.code in GUIDE_PRESENT:
        return queryset.filter(GUIDE_PRESENT[term.code])
    return queryset.none()


def services_in_taxonomy(queryset, taxonomy):
    """The services of ``queryset`` carrying any term of ``taxonomy`` (``taxonomy_id``)."""
    if taxonomy.name == KIND_TAXONOMY:
        return queryset.exclude(kind="")
    if taxonomy.name == TOPIC_TAXONOMY:
        return queryset.filter(
            Exists(Service.topics.through.objects.filter(service=OuterRef("pk")))
        )
    if taxonomy.name == AUDIENCE_TAXONOMY:
        return queryset.filter(
            Exists(Service.audiences.through.objects.filter(service=OuterRef("pk")))
        )
    if taxonomy.name == CHANNEL_TAXONOMY:
        return queryset.filter(Exists(ServiceChannel.objects.filter(service=OuterRef("pk"))))
    if taxonomy.name == GUIDE_TAXONOMY:
        any_guide = Q()
        for present in GUIDE_PRESENT.values():
            any_guide |= present
        return queryset.filter(any_guide)
    return queryset.none()
