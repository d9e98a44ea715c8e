"""Services: one model for all four kinds (a field, not four subclasses), with the
service-guide fields (办事指南) and the HSDS child records around it."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from catalog.models.locations import Location
from catalog.models.organizations import Organization
from catalog.models.rows import PhoneRow, ScheduleRow
from catalog.models.taxonomy import AUDIENCE_TAXONOMY, TOPIC_TAXONOMY, TaxonomyTerm


class ServiceKind(models.TextChoices):
    GOVERNMENT = "government", _("政务服务")
    PUBLIC_WELFARE = "public_welfare", _("公益服务")
    MARKET = "market", _("市场服务")
    LOW_COST = "low_cost", _("低偿服务")


FREE_KINDS = {ServiceKind.GOVERNMENT, ServiceKind.PUBLIC_WELFARE}


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("正常提供")
    INACTIVE = "inactive", _("暂不提供")
    TEMPORARILY_CLOSED = "temporarily closed", _("临时关闭")
    DEFUNCT = "defunct", _("已撤销")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口办")
    ONLINE = "online", _("网上办")
    MOBILE = "mobile", _("指尖办")
    NEARBY = "nearby", _("就近办")
    HOME_VISIT = "home_visit", _("上门办")
    APPOINTMENT = "appointment", _("预约办")


CHANNELS_WITH_URL = {Channel.ONLINE, Channel.MOBILE}


class CostCategory(models.TextChoices):
    FREE = "free", _("免费")
    LOW_COST = "low_cost", _("低偿")
    MARKET = "market", _("市场价")


PROMISED_DAYS = re.compile(r"(\d+)\s*个?工作日")
STEP_NUMBER = re.compile(r"^\d+\s*[.、．)]\s*")


# Residents see every service that exists, including those paused or closed for now
# (their alert says why and until when); a defunct service is gone and stays hidden.
VISIBLE_STATUSES = (
    ServiceStatus.ACTIVE,
    ServiceStatus.TEMPORARILY_CLOSED,
    ServiceStatus.INACTIVE,
)
#: The place of a service's kind in the lists (government, public welfare, market, low
#: cost): the first key of the listing order, and of the index that keeps that order.
KIND_RANK = models.Case(
    *(models.When(kind=kind, then=models.Value(rank)) for rank, kind in enumerate(ServiceKind)),
    default=models.Value(len(ServiceKind)),
)


class ServiceQuerySet(models.QuerySet):
    def at_center(self, center):
        """The services offered at ``center`` (a CenterPage), each once: those offered at
        its place (a center is one catalog location; none before it has one)."""
        location = getattr(center, "location", None)
        return self.none() if location is None else self.at_location(location)

    def at_location(self, location):
        """The services offered at ``location``, each once. EXISTS rather than a join: no
        DISTINCT, so the database need not deduplicate (and sort) every service of a large
        center before it can count them or read one page of them, and it checks each
        service against the (location, service) index instead of joining locations."""
        return self.filter(
            models.Exists(
                ServiceAtLocation.objects.filter(service=models.OuterRef("pk"), location=location)
            )
        )

    def stale(self, days: int, today: date | None = None):
        """Services nobody has verified within ``days`` days (or ever)."""
        cutoff = (today or timezone.localdate()) - timedelta(days=days)
        return self.filter(models.Q(assured_date__lt=cutoff) | models.Q(assured_date__isnull=True))


class Service(ClusterableModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("服务名称"), max_length=200, unique=True)
    alternate_name = models.CharField(
        _("俗称"), max_length=200, blank=True, help_text=_("居民常用的叫法，如“老年证”")
    )
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("用逗号分隔，帮助居民搜到")
    )
    description = models.TextField(_("服务内容"))
    kind = models.CharField(_("服务类型"), max_length=20, choices=ServiceKind.choices)
    topics = ParentalManyToManyField(
        TaxonomyTerm,
        verbose_name=_("服务领域"),
        related_name="services_by_topic",
        limit_choices_to={"taxonomy__name": TOPIC_TAXONOMY},
        blank=True,
    )
    audiences = ParentalManyToManyField(
        TaxonomyTerm,
        verbose_name=_("服务对象"),
        related_name="services_by_audience",
        limit_choices_to={"taxonomy__name": AUDIENCE_TAXONOMY},
        blank=True,
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("服务提供方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    alert = models.CharField(
        _("状态说明"), max_length=300, blank=True, help_text=_("如暂停的原因、恢复时间")
    )
    url = models.URLField(_("办事指南网址"), blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    eligibility_description = models.TextField(_("办理对象/条件"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    application_process = models.TextField(
        _("办理流程"), blank=True, help_text=_("每行一个步骤，如“1. 提交申请。”")
    )
    time_limit = models.CharField(
        _("办理时限"), max_length=100, blank=True, help_text=_("如：即办；承诺15个工作日")
    )
    most_visits = models.PositiveSmallIntegerField(_("最多跑动次数"), null=True, blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    fees_description = models.TextField(
        _("收费标准"), blank=True, help_text=_("免费服务请写明“不收费”")
    )
    market_reference_price = models.DecimalField(
        _("市场参考价（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("低偿服务必填，价格须低于此价"),
    )
    interpretation_services = models.CharField(_("翻译服务"), max_length=300, blank=True)
    assured_date = models.DateField(_("最近核实日期"), null=True, blank=True)
    assurer_email = models.EmailField(_("核实人邮箱"), blank=True)
    last_modified = models.DateTimeField(_("最后修改时间"), null=True, blank=True)
    #: ``cost_category()`` as last computed, stored so that the lists filter and count by
    #: cost off an index instead of looking at every service's prices: set on every save,
    #: when a cost option is saved or deleted, and by the bulk writer for what it writes
    #: (``catalog.filters.store_cost_categories``).
    stored_cost_category = models.CharField(
        _("收费类型"), max_length=10, choices=CostCategory.choices, default="", editable=False
    )

    objects = ServiceQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("alternate_name"),
                FieldPanel("keywords"),
                FieldPanel("kind"),
            ],
            heading=_("基本信息"),
        ),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("topics"), FieldPanel("audiences")]),
        FieldPanel("organization"),
        MultiFieldPanel(
            [
                FieldPanel("eligibility_description"),
                FieldRowPanel([FieldPanel("minimum_age"), FieldPanel("maximum_age")]),
                InlinePanel("required_documents", label=_("申请材料")),
                FieldPanel("application_process"),
                FieldRowPanel([FieldPanel("time_limit"), FieldPanel("most_visits")]),
                FieldPanel("legal_basis"),
            ],
            heading=_("办事指南"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("fees_description"),
                FieldPanel("market_reference_price"),
                InlinePanel("cost_options", label=_("收费项目")),
            ],
            heading=_("收费"),
        ),
        InlinePanel("channels", label=_("办理渠道")),
        InlinePanel("service_at_locations", label=_("办理地点")),
        InlinePanel("schedules", label=_("办理时间")),
        InlinePanel("phones", label=_("咨询电话")),
        InlinePanel("service_areas", label=_("服务范围")),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("alert"), FieldPanel("url"), FieldPanel("email")],
            heading=_("状态与联系"),
        ),
        FieldRowPanel([FieldPanel("assured_date"), FieldPanel("assurer_email")], heading=_("核实")),
    ]

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["name"]
        indexes = [
            # The lists' order (kind, name, id) over the services residents see: a page
            # of /fuwu/ is read off this index instead of sorting every service, and the
            # kind counts scan it (kind is included) instead of the wide table.
            # The cost is included too: a list filtered by cost walks this index without
            # reading the table.
            models.Index(
                KIND_RANK,
                models.F("name"),
                models.F("id"),
                include=["kind", "stored_cost_category"],
                condition=models.Q(status__in=VISIBLE_STATUSES),
                name="catalog_service_listing_cost",
            ),
            # The kind counts (facets) of the visible services: read in kind order off
            # this narrow index, with the cost to filter by and the id to meet a topic's
            # or a center's services by, without the table.
            models.Index(
                fields=["kind", "stored_cost_category", "id"],
                condition=models.Q(status__in=VISIBLE_STATUSES),
                name="catalog_service_facets",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="service_minimum_age_not_above_maximum",
            ),
        ]

    def save(self, *args, **kwargs):
        # A saved service changed: HSDS clients asking modified_after must hear of it. The
        # imports write in bulk and keep the times their records carry.
        self.last_modified = timezone.now()
        # From the cost options as they will be once saved: a form's edited options are
        # the cluster's, in memory, until super().save() writes them.
        self.stored_cost_category = self.cost_category()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "last_modified", "stored_cost_category"}
        super().save(*args, **kwargs)
        # Links the save did not write (a kind or status changed, the links did not).
        store_link_copies(Service.objects.filter(pk=self.pk))

    def __str__(self):
        return self.name

    @property
    def is_free_kind(self) -> bool:
        return self.kind in FREE_KINDS

    @property
    def is_immediate(self) -> bool:
        return self.time_limit.startswith("即办")

    @property
    def promised_working_days(self) -> int | None:
        match = PROMISED_DAYS.search(self.time_limit)
        return int(match.group(1)) if match else None

    def application_steps(self) -> list[str]:
        """办理流程 as steps, without the "1. " numbering an ordered list shows anyway."""
        lines = (line.strip() for line in self.application_process.splitlines())
        return [STEP_NUMBER.sub("", line) for line in lines if line]

    def cost_category(self, amounts: list[Decimal | None] | None = None) -> str:
        """free / low_cost / market, from the kind and the prices charged."""
        if amounts is None:
            amounts = [option.amount for option in self.cost_options.all()]
        if self.kind == ServiceKind.LOW_COST:
            return CostCategory.LOW_COST
        if self.kind in FREE_KINDS or all(amount == 0 for amount in amounts if amount is not None):
            return CostCategory.FREE
        return CostCategory.MARKET

    def is_stale(self, days: int, today: date | None = None) -> bool:
        if self.assured_date is None:
            return True
        return self.assured_date < (today or timezone.localdate()) - timedelta(days=days)


class RequiredDocument(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="required_documents")
    document = models.CharField(_("材料"), max_length=300)
    uri = models.URLField(_("样表网址"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self):
        return self.document


class CostOption(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(_("收费项目"), max_length=100, blank=True)
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("不收费填0"),
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    amount_description = models.CharField(
        _("计价说明"), max_length=200, blank=True, help_text=_("如：元/小时")
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    panels = [
        FieldRowPanel(
            [FieldPanel("option"), FieldPanel("amount"), FieldPanel("amount_description")]
        ),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")

    # A price changed, came or went: the service's stored cost category follows (the
    # bulk writer, which sends no saves, stores it for what it writes).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _store_cost_category(self.service_id)

    def delete(self, *args, **kwargs):
        service_id = self.service_id
        deleted = super().delete(*args, **kwargs)
        _store_cost_category(service_id)
        return deleted

    @property
    def price_label(self) -> str:
        """The price as residents read it: 45元/小时，2小时起订 when the description goes on
        from the unit, else 20元（含材料）; "" without an amount."""
        if self.amount is None:
            return ""
        amount = f"{self.amount.normalize():f}"
        description = self.amount_description
        if description.startswith("元"):
            return f"{amount}{description}"
        if description and description != "不收费":
            return f"{amount}元（{description}）"
        return f"{amount}元"


def _store_cost_category(service_id) -> None:
    from catalog.filters import store_cost_categories  # catalog.filters imports the models

    if service_id is not None:
        store_cost_categories(Service.objects.filter(pk=service_id))


class ServiceChannel(Orderable):
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    url = models.URLField(_("办理入口网址"), blank=True, help_text=_("网上办、指尖办必填"))

    panels = [FieldRowPanel([FieldPanel("channel"), FieldPanel("url")])]

    class Meta(Orderable.Meta):
        verbose_name = _("办理渠道")
        verbose_name_plural = _("办理渠道")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "channel"], name="unique_channel_per_service"
            )
        ]

    def __str__(self):
        return self.get_channel_display()


class ServicePhone(PhoneRow):
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="phones")


class ServiceSchedule(ScheduleRow):
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="schedules")


class ServiceArea(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    uri = models.URLField(_("URI"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("服务范围")
        verbose_name_plural = _("服务范围")

    def __str__(self):
        return self.name


class ServiceAtLocation(Orderable):
    """Where a service is offered: a center (HSDS location) and the room or window."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(
        Location, verbose_name=_("服务地点"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("窗口/功能室"), max_length=200, blank=True)
    #: Copies of the service's kind and of whether residents see it (its status in
    #: VISIBLE_STATUSES), so that a center's kind counts read one index of its own links
    #: instead of joining every one of them to the services table, which grew with the
    #: center (a center of 30,000 services: 50–110 ms against 3–7 ms). Kept by
    #: ``store_link_copies``: when the link or its service is saved, and per batch by the
    #: bulk writer.
    service_kind = models.CharField(max_length=20, blank=True, editable=False)
    service_visible = models.BooleanField(default=True, editable=False)

    panels = [FieldRowPanel([FieldPanel("location"), FieldPanel("description")])]

    class Meta(Orderable.Meta):
        verbose_name = _("办理地点")
        verbose_name_plural = _("办理地点")
        indexes = [
            # A center's list: which services are offered at a location, read from the
            # index alone (counting them, and checking each service of a page).
            models.Index(fields=["location", "service"], name="catalog_sal_location_service"),
            # A center's kind counts, from the index alone.
            models.Index(
                fields=["location", "service_kind", "service"],
                condition=models.Q(service_visible=True),
                name="catalog_sal_location_kinds",
            ),
        ]

    def save(self, *args, **kwargs):
        # The service as the caller holds it: in an admin form, the one being saved.
        self.service_kind = self.service.kind
        self.service_visible = self.service.status in VISIBLE_STATUSES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "service_kind", "service_visible"}
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.location} {self.description}".strip()


def store_link_copies(services) -> int:
    """Copy the kind and visibility of each of ``services`` (a Service queryset) onto its
    links (``ServiceAtLocation.service_kind``, ``service_visible``), in one UPDATE
    whatever their number; only the links whose copies differ are written. Returns the
    number of links changed."""
    service = Service.objects.filter(pk=models.OuterRef("service_id"))
    visible = models.ExpressionWrapper(
        models.Q(status__in=VISIBLE_STATUSES), output_field=models.BooleanField()
    )
    stale = ~models.Q(service_kind=models.F("service__kind")) | ~models.Q(
        service_visible=models.Exists(service.filter(status__in=VISIBLE_STATUSES))
    )
    return (
        ServiceAtLocation.objects.filter(service__in=services.order_by().values("pk"))
        .filter(stale)
        .update(
            service_kind=models.Subquery(service.values("kind")[:1]),
            service_visible=models.Subquery(service.annotate(v=visible).values("v")[:1]),
        )
    )


class ServiceAtLocationSchedule(ScheduleRow):
    """Hours of a service at one center, when they differ from the service's own."""

    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, related_name="schedules"
    )


class ServiceContact(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=60, blank=True)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    department = models.CharField(_("部门"), max_length=100, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")


class ContactPhone(PhoneRow):
    contact = models.ForeignKey(ServiceContact, on_delete=models.CASCADE, related_name="phones")


class ServiceLanguage(Orderable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(_("语言"), max_length=60)
    code = models.CharField(_("代码"), max_length=10, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("服务语言")
        verbose_name_plural = _("服务语言")
