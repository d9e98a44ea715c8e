"""What search stores: the database index, the editors' synonym sets, and the query log
behind the demand list (需求清单)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

SYNONYM_SEPARATORS = "，,、;；\n\r\t "


class SearchEntry(models.Model):
    """One searchable thing (a service, an activity or a page) as pre-analysed tokens.

    The database backend's full-text index is built from these columns by the database
    itself: an FTS5 table kept in step by triggers on SQLite, a generated ``tsvector``
    column with a GIN index on PostgreSQL (both created in migration 0002), and on
    PostgreSQL a second, small one of the name, keywords and pinyin alone
    (``search_head``, migration 0011) that ranks a broad word's matches.
    """

    class Source(models.TextChoices):
        SERVICE = "service", _("服务事项")
        ACTIVITY = "activity", _("活动")
        PAGE = "page", _("页面")

    source = models.CharField(max_length=10, choices=Source.choices)
    service = models.OneToOneField(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    activity = models.OneToOneField(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    page = models.OneToOneField(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    title = models.CharField(max_length=255)
    name_tokens = models.TextField(blank=True)
    keyword_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    pinyin_tokens = models.TextField(blank=True)
    #: The service's (or activity's) facet values as ``facet:value`` (``kind:government``,
    #: ``center:HHD-CH``…): the database backend filters and counts facets from these.
    facet_values = models.JSONField(default=list, blank=True)
    #: A 64-bit hash of ``facet_values``: matches are counted by it, one combination of
    #: facet values at a time (``search.backends.database.facet_key``).
    facet_key = models.BigIntegerField(null=True, blank=True, editable=False)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        source="service",
                        service__isnull=False,
                        activity__isnull=True,
                        page__isnull=True,
                    )
                    | models.Q(
                        source="activity",
                        activity__isnull=False,
                        service__isnull=True,
                        page__isnull=True,
                    )
                    | models.Q(
                        source="page",
                        page__isnull=False,
                        service__isnull=True,
                        activity__isnull=True,
                    )
                ),
                name="search_entry_has_one_target",
            )
        ]

    def __str__(self):
        return self.title


class IndexVersion(models.Model):
    """One row whose token changes with every write to the search index (in the writing
    transaction, for the database backend): what is cached of searches is keyed by it, so
    it is never served once the index has changed, and a rolled-back write's token is
    never seen again."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("索引版本")

    def __str__(self):
        return self.token

    @classmethod
    def current(cls) -> str:
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or "0"

    @classmethod
    def renew(cls) -> None:
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=1).update(token=token):
            cls.objects.update_or_create(pk=1, defaults={"token": token})


class SynonymSet(models.Model):
    """Words residents use for the same thing (低保 = 最低生活保障). Applied when a query
    is analysed, so a change works at once, without reindexing."""

    terms = models.TextField(
        _("同义词"),
        help_text=_(
            "用逗号、顿号或换行分隔，例如：低保，最低生活保障。搜索其中任何一个词，都会同时查找其余的词。"
        ),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    #: A need in everyday words (腿脚不便，行动不便) lands on the services of this topic
    #: even where no service names the words.
    topic = models.ForeignKey(
        "catalog.TaxonomyTerm",
        verbose_name=_("对应的服务领域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("居民用这些说法描述需求时，同时查找该领域的服务。"),
    )
    source = models.CharField(
        _("来源"),
        max_length=200,
        blank=True,
        help_text=_("这组说法的出处，如12345热线分类、政务服务事项的“俗称”。"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("topic"), FieldPanel("note"), FieldPanel("source")]

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词")
        ordering = ["terms"]

    def __str__(self):
        return "，".join(self.term_list())

    def term_list(self) -> list[str]:
        return split_terms(self.terms)


def split_terms(text: str) -> list[str]:
    terms, current = [], ""
    for char in text or "":
        if char in SYNONYM_SEPARATORS:
            if current.strip():
                terms.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        terms.append(current.strip())
    return list(dict.fromkeys(terms))


class QueryLog(models.Model):
    """One search a resident ran: what was typed (folded), the filters, how many results
    and how many of them were opened. Nothing that identifies the resident is kept: no
    address, account, session or exact time (the hour is enough)."""

    query = models.CharField(_("搜索词"), max_length=100, db_index=True)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    center_code = models.CharField(_("服务中心"), max_length=40, blank=True, db_index=True)
    result_count = models.PositiveIntegerField(_("结果数"))
    click_count = models.PositiveIntegerField(_("点击数"), default=0)
    channel = models.CharField(_("来源"), max_length=10, default="web")
    searched_at = models.DateTimeField(_("搜索时间"), db_index=True)
    #: The services of the first page, in the order shown: what was skipped above an
    #: opened result.
    shown = models.JSONField(_("显示的结果"), default=list, blank=True)
    #: When a slip was corrected (老年正 → 老年证): the reading whose results were shown.
    #: ``query`` stays what the resident typed.
    corrected_query = models.CharField(_("纠正为"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("搜索记录")
        verbose_name_plural = _("搜索记录")
        indexes = [models.Index(fields=["center_code", "query"])]

    def __str__(self):
        return self.query


class HandledDemand(models.Model):
    """A demand-list line an editor has dealt with (added a service, a synonym…). It comes
    back when residents search for it again afterwards."""

    class Action(models.TextChoices):
        KEYWORDS = "keywords", _("加为服务的关键词")
        SYNONYMS = "synonyms", _("新建同义词组")
        OTHER = "other", _("其他处理")

    center_code = models.CharField(_("服务中心"), max_length=40, blank=True)
    query = models.CharField(_("搜索词"), max_length=100)
    handled_at = models.DateTimeField(_("处理时间"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人"),
    )
    note = models.CharField(_("处理说明"), max_length=200, blank=True)
    action = models.CharField(_("处理方式"), max_length=20, choices=Action.choices, blank=True)
    #: The words attached (as keywords or a synonym set), as the editor chose them.
    terms = models.CharField(_("关联的词"), max_length=200, blank=True)
    #: The services the words were attached to (ids; a service may be deleted later).
    service_ids = models.JSONField(_("关联的服务"), default=list, blank=True)

    class Meta:
        verbose_name = _("已处理需求")
        verbose_name_plural = _("已处理需求")
        constraints = [
            models.UniqueConstraint(fields=["center_code", "query"], name="handled_demand_once")
        ]

    def __str__(self):
        return self.query


class ResultVote(models.Model):
    """One visitor's signal about one result of one query, at most one per hour: opened
    (+1), or skipped (-1: shown above a result the visitor opened, and not opened). The
    visitor is a keyed hash that changes every day, never an address or an account."""

    query = models.CharField(_("搜索词"), max_length=100)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("服务")
    )
    visitor = models.CharField(_("访客"), max_length=16)
    hour = models.DateTimeField(_("时间（小时）"))
    value = models.SmallIntegerField(_("信号"))

    class Meta:
        verbose_name = _("点击信号")
        verbose_name_plural = _("点击信号")
        constraints = [
            models.UniqueConstraint(
                fields=["query", "service", "visitor", "hour"], name="one_vote_per_visitor_hour"
            )
        ]
        indexes = [models.Index(fields=["query", "service"])]

    def __str__(self):
        return f"{self.query} → {self.service_id} ({self.value:+d})"


class LearnedBoost(models.Model):
    """What the votes say of a service for a query or one of its words (``key``), decayed
    over time and capped: the ranking adds ``boost``. Recomputed from the votes."""

    key = models.CharField(_("搜索词"), max_length=100)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("服务")
    )
    boost = models.FloatField(_("调整"))
    visitors = models.PositiveIntegerField(_("访客数"))
    updated_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("点击调整")
        verbose_name_plural = _("点击调整")
        constraints = [
            models.UniqueConstraint(fields=["key", "service"], name="one_boost_per_key_service")
        ]

    def __str__(self):
        return f"{self.key} → {self.service_id} ({self.boost:+.2f})"


@register_setting(icon="search")
class SearchLearningSettings(BaseGenericSetting):
    """The editors' switches for learning from what residents open."""

    enabled = models.BooleanField(
        _("按居民打开的结果调整排序"),
        default=False,
        help_text=_("开启前请先用离线回放（benchmarks/）查看对排序质量的影响。"),
    )
    frozen = models.BooleanField(
        _("冻结"),
        default=False,
        help_text=_("冻结后不再记录新的点击信号，也不再重新计算，现有的调整保持不变。"),
    )
    max_boost = models.FloatField(
        _("最大调整幅度"),
        default=0.3,
        help_text=_("一项服务因点击而升降的上限（相关度分数的比例）。"),
    )
    half_life_days = models.PositiveSmallIntegerField(
        _("半衰期（天）"), default=30, help_text=_("点击信号每过这么多天，作用减半。")
    )
    min_visitors = models.PositiveSmallIntegerField(
        _("最少访客数"), default=3, help_text=_("至少有这么多不同访客的信号，才调整排序。")
    )

    panels = [
        FieldPanel("enabled"),
        FieldPanel("frozen"),
        FieldPanel("max_boost"),
        FieldPanel("half_life_days"),
        FieldPanel("min_visitors"),
    ]

    class Meta:
        verbose_name = _("搜索学习设置")
