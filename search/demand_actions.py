"""Closing a demand-list line in one step: the query's words become keywords of services,
or a synonym set, with a preview of what the query then finds.

- :func:`suggested_terms`: the words that matter in a query (what the analysis keeps,
  without lone characters), to pre-fill the form.
- :func:`candidate_services`: the services a relaxed search of the words finds, plus those
  a name search finds, limited to the services the editor may change
  (:func:`catalog.permissions.services_editable_by`).
- :class:`DemandActionForm`: checks what the editor chose (in Chinese).
- :func:`preview`: the query's first results before and after, computed inside a
  savepoint that is rolled back. On the database backend the touched services are
  reindexed inside it, so the preview is exact; on Elasticsearch the index is outside the
  transaction, so the chosen services are put in front of today's results instead (marked
  as an estimate). Synonyms apply when a query is analysed, so their preview is exact on
  both.
- :func:`save_action`: saves it as the catalog admin saves a service (``save()`` and a
  "wagtail.edit" log entry; services have no revisions or drafts), and marks the line
  handled. The search app's signals reindex the services when the transaction commits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from catalog.models import Service
from catalog.permissions import services_editable_by
from search.analysis import analyse_query, fold
from search.backends import get_search_backend
from search.catalog import search_catalog
from search.models import HandledDemand, IndexVersion, SynonymSet, split_terms
from search.query import CatalogQuery, Mode
from search.synonyms import current_synonyms

#: How many results the preview shows (a resident's first screen or so).
PREVIEW_SIZE = 10
#: How many services the candidate lists offer (search, and name search).
CANDIDATES = 10
#: Service.keywords is a CharField of this length.
KEYWORDS_MAX_LENGTH = Service._meta.get_field("keywords").max_length
MAX_TERMS_LENGTH = 100
KEYWORD_SEPARATORS = re.compile(r"[,，、;；]")
#: Where a synonym set made from the demand list says it comes from.
SYNONYM_SOURCE = "居民搜索（需求清单）"


class Rollback(Exception):
    """Raised to leave a preview's savepoint without keeping anything."""


def suggested_terms(query: str) -> list[str]:
    """The words of ``query`` worth attaching: the analysis drops the words residents add
    around a need (怎么办, 我想); lone characters (坏 in 水喉坏了) would find far too much.
    The folded query itself when nothing else is left."""
    analysed = analyse_query(query, current_synonyms())
    kept = [group.word for group in analysed.groups if not group.optional]
    return kept or ([analysed.folded] if analysed.folded else [])


def keyword_items(text: str) -> list[str]:
    return [item.strip() for item in KEYWORD_SEPARATORS.split(text or "") if item.strip()]


def keywords_with(existing: str, terms: list[str]) -> tuple[str, list[str]]:
    """``existing`` keywords with ``terms`` appended, none twice (compared folded, so 老年證
    and 老年证 are one); and the terms that were new."""
    items = keyword_items(existing)
    seen = {fold(item) for item in items}
    added = []
    for term in terms:
        if fold(term) not in seen:
            seen.add(fold(term))
            added.append(term)
    if not added:
        return existing, []
    separator = "," if "," in existing and "，" not in existing else "，"
    return separator.join([*items, *added]), added


def candidate_services(user, terms: list[str], name_search: str = "") -> list[Service]:
    """Services the editor may change that a relaxed search of ``terms`` finds (best
    first), then those whose name, alternate name or keywords contain ``name_search``."""
    editable = services_editable_by(user)
    found: list[Service] = []
    text = " ".join(terms)
    if text:
        query = CatalogQuery(analysed=analyse_query(text, current_synonyms()))
        if not query.analysed.is_empty:
            query.page_size = CANDIDATES * 3  # some are others' services
            query.index_version = IndexVersion.current()
            backend = get_search_backend()
            mode = Mode.RELAXED if len(query.analysed.groups) > 1 else Mode.STRICT
            ids = [hit.service_id for hit in backend.search_service_page(query, mode)]
            by_id = {str(s.pk): s for s in editable.filter(pk__in=ids)}
            found = [by_id[pk] for pk in ids if pk in by_id][:CANDIDATES]
    name_search = name_search.strip()
    if name_search:
        named = editable.filter(
            Q(name__icontains=name_search)
            | Q(alternate_name__icontains=name_search)
            | Q(keywords__icontains=name_search)
        ).exclude(pk__in=[s.pk for s in found])
        found += list(named.order_by("name")[:CANDIDATES])
    return found


class ServiceIdsField(forms.MultipleChoiceField):
    """The ids of the ticked services: the candidates change with every name search, so
    any id is read here, and the form says which the editor may not change."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value):
        return True


class DemandActionForm(forms.Form):
    KEYWORDS = HandledDemand.Action.KEYWORDS
    SYNONYMS = HandledDemand.Action.SYNONYMS

    action = forms.ChoiceField(
        label="处理方式",
        choices=[(KEYWORDS, "加为服务的关键词"), (SYNONYMS, "新建同义词组")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择处理方式。", "invalid_choice": "请选择处理方式。"},
    )
    terms = forms.CharField(
        label="居民的说法",
        max_length=MAX_TERMS_LENGTH,
        help_text="用逗号、顿号或空格分隔。加为关键词时每个词分别加入所选服务；"
        "建同义词组时每个词都与“对应的说法”视为同义。",
        error_messages={
            "required": "请填写要关联的词。",
            "max_length": f"要关联的词最多{MAX_TERMS_LENGTH}个字。",
        },
    )
    services = ServiceIdsField(label="服务", required=False)
    service_search = forms.CharField(label="按名称查找服务", required=False, max_length=50)
    target = forms.CharField(
        label="对应的说法",
        required=False,
        max_length=50,
        help_text="能搜到正确服务的词，如服务名称或常用叫法。",
    )
    note = forms.CharField(label="处理说明", required=False, max_length=200)

    def __init__(self, *args, user, may_make_synonyms: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_make_synonyms = may_make_synonyms

    def clean_terms(self) -> list[str]:
        terms = split_terms(self.cleaned_data["terms"])
        if not terms:
            raise forms.ValidationError("请填写要关联的词。")
        return terms

    def clean_services(self) -> list[Service]:
        ids = []
        for value in self.cleaned_data["services"]:
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                raise forms.ValidationError("所选服务不存在，请重新选择。") from None
        services = list(Service.objects.filter(pk__in=ids).order_by("name"))
        if len(services) != len(set(ids)):
            raise forms.ValidationError("所选服务有的已被删除，请重新选择。")
        editable = set(
            services_editable_by(self.user, Service.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        refused = [service.name for service in services if service.pk not in editable]
        if refused:
            raise forms.ValidationError(
                f"您没有修改“{'”“'.join(refused)}”的权限：只能修改您负责的中心提供的服务。"
            )
        return services

    def clean(self):
        data = super().clean()
        action = data.get("action")
        terms = data.get("terms") or []
        if action == self.KEYWORDS:
            if not data.get("services") and "services" not in self.errors:
                self.add_error("services", "请至少选择一项服务。")
            for service in data.get("services") or []:
                merged, _ = keywords_with(service.keywords, terms)
                if len(merged) > KEYWORDS_MAX_LENGTH:
                    self.add_error(
                        "terms",
                        f"服务“{service.name}”的关键词加上这些词会超过{KEYWORDS_MAX_LENGTH}字，"
                        "请先在服务编辑页精简关键词。",
                    )
        elif action == self.SYNONYMS:
            self.clean_synonyms(data, terms)
        if terms and len("，".join(terms)) > HandledDemand._meta.get_field("terms").max_length:
            self.add_error("terms", "要关联的词太长了。")
        return data

    def clean_synonyms(self, data, terms: list[str]) -> None:
        if not self.may_make_synonyms:
            self.add_error(
                "action", "只有区级编辑可以新建同义词组；您可以把这些词加为服务的关键词。"
            )
            return
        target = (data.get("target") or "").strip()
        if not target:
            self.add_error("target", "请填写对应的说法：一个能搜到正确服务的词。")
            return
        if fold(target) in {fold(term) for term in terms}:
            self.add_error("target", "对应的说法应与居民的说法不同。")
            return
        if not finds_services(target):
            self.add_error("target", f"“{target}”现在搜不到任何服务，请换一个能搜到服务的词。")
        data["target"] = target

    def synonym_terms(self) -> list[str]:
        return [*self.cleaned_data["terms"], self.cleaned_data["target"]]


def finds_services(text: str) -> bool:
    """Whether every word of ``text`` matches some service (what a synonym needs)."""
    query = CatalogQuery(analysed=analyse_query(text, current_synonyms()))
    if query.analysed.is_empty:
        return False
    query.index_version = IndexVersion.current()
    return get_search_backend().has_matches(query, Mode.STRICT)


# -- applying, previewing, saving ---------------------------------------------------------


@dataclass
class PreviewHit:
    name: str
    service_id: str
    chosen: bool  # one of the services the words were attached to


@dataclass
class PreviewList:
    """The first results where residents search: a center's page, or the district's."""

    where: str
    center_code: str
    before: list[PreviewHit]
    after: list[PreviewHit] = field(default_factory=list)


@dataclass
class Preview:
    query: str
    lists: list[PreviewList]
    #: True when the "after" lists are an estimate (a backend outside the transaction).
    estimated: bool = False
    chosen_names: list[str] = field(default_factory=list)

    @property
    def chosen_found(self) -> bool:
        return any(hit.chosen for shown in self.lists for hit in shown.after)


def database_backend(backend) -> bool:
    from search.backends.database import SearchBackend as DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def apply_keywords(services: list[Service], terms: list[str], user) -> list[Service]:
    """Append ``terms`` to the services' keywords and save them as the catalog admin
    does; the services that changed."""
    changed = []
    for service in services:
        merged, added = keywords_with(service.keywords, terms)
        if not added:
            continue
        service.keywords = merged
        service.save()
        log(instance=service, action="wagtail.edit", user=user, content_changed=True)
        changed.append(service)
    return changed


def apply_synonyms(terms: list[str], query: str) -> SynonymSet:
    return SynonymSet.objects.create(
        terms="，".join(terms), note=f"需求清单：{query}"[:200], source=SYNONYM_SOURCE
    )


def first_results(query: str, center_code: str, chosen: set[str]) -> list[PreviewHit]:
    """What a resident who searches ``query`` where it was logged sees first."""
    data = {"q": query, "page_size": PREVIEW_SIZE}
    result, _ = search_catalog(data, center_code=center_code, log=False)
    return [
        PreviewHit(hit.service.name, str(hit.service.pk), str(hit.service.pk) in chosen)
        for hit in result.hits
    ]


def preview(
    form: DemandActionForm, *, query: str, center_code: str, user, center_label: str = ""
) -> Preview:
    """The query's first results now and with the form's change, leaving nothing
    changed: on the center's page where it was searched (a center's page lists the
    services offered there), and across the district (where that page's "搜索全区" leads)."""
    data = form.cleaned_data
    services = data.get("services") or []
    chosen = {str(service.pk) for service in services}
    places = [(f"在{center_label or center_code}搜索", center_code)] if center_code else []
    places.append(("在全区搜索", ""))
    lists = [PreviewList(where, code, first_results(query, code, chosen)) for where, code in places]
    backend = get_search_backend()
    estimated = data["action"] == form.KEYWORDS and not database_backend(backend)
    if estimated:
        for shown in lists:
            shown.after = estimated_after(shown.before, services)
        return Preview(query, lists, True, [service.name for service in services])
    try:
        with transaction.atomic():
            if data["action"] == form.KEYWORDS:
                changed = apply_keywords(services, data["terms"], user)
                # The signals' reindexing waits for a commit that never comes.
                backend.index_services([service.pk for service in changed])
            else:
                apply_synonyms(form.synonym_terms(), query)
            for shown in lists:
                shown.after = first_results(query, shown.center_code, chosen)
            raise Rollback
    except Rollback:
        pass
    for service in services:  # the instances were changed in memory too
        service.refresh_from_db(fields=["keywords"])
    return Preview(query, lists, False, [service.name for service in services])


def estimated_after(before: list[PreviewHit], services: list[Service]) -> list[PreviewHit]:
    """On Elasticsearch: a keyword matching the whole query weighs about as much as a
    name, so the chosen services are put in front of today's results (on a center's page
    they show only if offered there: not checked here, hence an estimate)."""
    chosen = [PreviewHit(s.name, str(s.pk), True) for s in services]
    rest = [hit for hit in before if hit.service_id not in {c.service_id for c in chosen}]
    return (chosen + rest)[:PREVIEW_SIZE]


def save_action(
    form: DemandActionForm, *, query: str, center_code: str, user
) -> tuple[HandledDemand, list[Service]]:
    """Apply the form's change and mark the line handled, in one transaction (the
    services are reindexed when it commits)."""
    data = form.cleaned_data
    with transaction.atomic():
        # Read again under a lock: an edit saved since the form was checked is kept.
        chosen = [service.pk for service in data.get("services") or []]
        services = list(Service.objects.select_for_update().filter(pk__in=chosen).order_by("name"))
        if data["action"] == form.KEYWORDS:
            changed = apply_keywords(services, data["terms"], user)
            terms = data["terms"]
            service_ids = [str(service.pk) for service in services]
        else:
            apply_synonyms(form.synonym_terms(), query)
            changed = []
            terms = form.synonym_terms()
            service_ids = []
        handled, _ = HandledDemand.objects.update_or_create(
            center_code=center_code,
            query=query,
            defaults={
                "handled_at": timezone.now(),
                "handled_by": user,
                "note": data.get("note", "").strip()[:200],
                "action": data["action"],
                "terms": "，".join(terms)[:200],
                "service_ids": service_ids,
            },
        )
    return handled, changed
