"""The admin's 功能室利用率 (room utilisation) page, its bar chart and its xlsx export.

Imported by activities/wagtail_hooks.py. The district's editors see every center; a
center's (or a street's) editors see the centers whose pages they may edit
(district.permissions). The figures come from ``activities.utilisation``.
"""

from datetime import date
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.views.generic import TemplateView, View
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from activities.admin.activities import MENU_HOOK
from activities.utilisation import (
    UNITS,
    WEEK,
    Period,
    Scope,
    center_scope,
    centers_scope,
    district_scope,
    quick_periods,
    room_scope,
    street_scope,
    utilisation_report,
)
from district.permissions import editable_center_ids, editable_page_ids, is_district_editor

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HELP_TEXT = [
    "开放时长：所选期间内逐日累加的中心开放时间（按服务中心填写的开放时间计算：中心休息的日子，"
    "如法定节假日、临时闭馆日，不计；调休上班日开放的照常计入）。",
    "已用时长：各场活动（已取消的不计）占用该功能室的时间中，落在开放时间内的部分；"
    "开放时间以外的使用（如晚上、周末的活动）单列为“开放时间外”，不计入利用率，"
    "所以利用率不会超过100%。",
    "利用率＝已用时长÷开放时长。所选期间内没有任何已用时长的功能室标为“闲置”，排在最前；"
    "其余按利用率从低到高排列。",
    "到场率＝已签到人次÷提供的名额，只统计需要报名、且已经结束的场次；"
    "名额取活动的人数上限，未填时取功能室的容纳人数。",
]


# -- who sees what ------------------------------------------------------------------------


class UtilisationAccess:
    """The centers ``user`` may see the rooms of, and the scopes offered to them."""

    def __init__(self, user):
        self.user = user
        self.district_wide = is_district_editor(user)

    @cached_property
    def center_ids(self) -> set[int]:
        return set() if self.district_wide else editable_center_ids(self.user)

    @property
    def may_view(self) -> bool:
        return self.district_wide or bool(self.center_ids)

    def allows_center(self, center_id) -> bool:
        return self.district_wide or center_id in self.center_ids

    def streets(self):
        from district.models import StreetPage

        streets = StreetPage.objects.live().order_by("path")
        if not self.district_wide:
            streets = streets.filter(pk__in=editable_page_ids(self.user))
        return streets

    def centers(self):
        from district.models import CenterPage

        if self.district_wide:
            return CenterPage.objects.live().order_by("code")
        return CenterPage.objects.filter(pk__in=self.center_ids).order_by("code")

    def default_scope(self) -> Scope:
        if self.district_wide:
            return district_scope()
        if len(self.center_ids) == 1:
            return center_scope(self.centers().get())
        return centers_scope(self.center_ids, "我负责的全部中心")

    def choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Scope choices as <optgroup>s: (group label, [(key, label)])."""
        groups = []
        if self.district_wide:
            groups.append(("全区", [("district", "全区所有中心")]))
        elif len(self.center_ids) > 1:
            groups.append(("我的中心", [("mine", "我负责的全部中心")]))
        streets = [(f"street-{street.pk}", street.title) for street in self.streets()]
        if streets:
            groups.append(("街道", streets))
        groups.append(("服务中心", [(f"center-{c.pk}", c.title) for c in self.centers()]))
        return groups

    def scope(self, key: str) -> Scope:
        """The scope named ``key``; ValueError when there is no such scope, PermissionDenied
        when it is not the user's."""
        from activities.models import Room
        from district.models import CenterPage, StreetPage

        kind, _, number = key.partition("-")
        if kind in ("district", "mine") and not number:
            if kind == "district" and not self.district_wide:
                raise PermissionDenied
            return self.default_scope()
        if not number.isdigit():
            raise ValueError(key)
        if kind == "center":
            center = CenterPage.objects.filter(pk=number).first()
            if center is None:
                raise ValueError(key)
            if not self.allows_center(center.pk):
                raise PermissionDenied
            return center_scope(center)
        if kind == "room":
            room = Room.objects.select_related("center").filter(pk=number).first()
            if room is None:
                raise ValueError(key)
            if not self.allows_center(room.center_id):
                raise PermissionDenied
            return room_scope(room)
        if kind == "street":
            street = self.streets().filter(pk=number).first()
            if street is None:
                if StreetPage.objects.filter(pk=number).exists():
                    raise PermissionDenied
                raise ValueError(key)
            return street_scope(street)
        raise ValueError(key)


def access_of(request) -> UtilisationAccess:
    """The request user's access, worked out once per request (the menu asks too)."""
    if not hasattr(request, "_utilisation_access"):
        request._utilisation_access = UtilisationAccess(request.user)
    return request._utilisation_access


# -- reading the request ------------------------------------------------------------------


def read_period(request, today: date) -> tuple[Period, str]:
    """The period asked for (``unit`` week/month and any ``date`` in it) and an error
    message ("" when none); this week when nothing or something unreadable was asked."""
    unit = request.GET.get("unit") or WEEK
    typed = (request.GET.get("date") or "").strip()
    error = ""
    if unit not in UNITS:
        unit, error = WEEK, "统计周期只能选“按周”或“按月”。"
    day = today
    if typed:
        try:
            day = date.fromisoformat(typed)
        except ValueError:
            error = f"日期“{typed}”无法识别，请按 2026-12-07 的格式填写。"
    return Period.of(unit, day), error


def read_scope(request, access: UtilisationAccess) -> tuple[Scope, str]:
    key = (request.GET.get("scope") or "").strip()
    if not key:
        return access.default_scope(), ""
    try:
        return access.scope(key), ""
    except ValueError:
        return access.default_scope(), "所选的范围不存在。"


def query_for(period: Period, scope: Scope) -> str:
    return urlencode({"unit": period.unit, "date": period.first.isoformat(), "scope": scope.key})


# -- the chart ----------------------------------------------------------------------------

CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 380
CHART_VALUE_WIDTH = 110
CHART_ROW_HEIGHT = 26
CHART_TOP = 28


CHART_LABEL_CHARACTERS = 16  # what fits in CHART_LABEL_WIDTH at 13px; the table has it all


def chart_label(line) -> str:
    """海棠苑社区 书画室: the center's name without 党群服务中心, and the room."""
    label = (
        f"{line.center.title.removesuffix('党群服务中心') or line.center.title} {line.room.name}"
    )
    if len(label) > CHART_LABEL_CHARACTERS:
        label = label[: CHART_LABEL_CHARACTERS - 1] + "…"
    return label


def bar_chart(report) -> dict:
    """Geometry of the horizontal bar chart (one bar per room, 0–100%), drawn by the
    template as inline SVG."""
    bars = []
    for index, line in enumerate(report.lines):
        share = min(line.utilisation or 0, 1)
        if line.utilisation is None:
            value = "无开放时间"
        elif line.is_idle:
            value = "闲置"
        else:
            value = f"{line.utilisation * 100:.1f}%"
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        bars.append(
            {
                "label": chart_label(line),
                "value": value,
                "idle": line.is_idle,
                "y": y,
                "text_y": y + CHART_ROW_HEIGHT / 2 + 4,
                "bar_y": y + 5,
                "bar_height": CHART_ROW_HEIGHT - 10,
                "width": round(CHART_BAR_WIDTH * share, 1),
                "value_x": CHART_LABEL_WIDTH + round(CHART_BAR_WIDTH * share, 1) + 6,
            }
        )
    idle = [bar["label"] for bar in bars if bar["idle"]]
    used = [line for line in report.lines if not line.is_idle]
    description = f"{report.scope.label}共{len(bars)}间功能室"
    description += f"，其中{len(idle)}间闲置（{'、'.join(idle)}）" if idle else "，没有闲置的功能室"
    if len(used) == 1:
        description += f"；{chart_label(used[0])}的利用率为{used[0].utilisation * 100:.1f}%"
    elif used:
        lowest, highest = used[0], used[-1]
        description += (
            f"；有使用的功能室中利用率最低的是{chart_label(lowest)}"
            f"（{lowest.utilisation * 100:.1f}%），"
            f"最高的是{chart_label(highest)}（{highest.utilisation * 100:.1f}%）"
        )
    left = CHART_LABEL_WIDTH
    return {
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + CHART_VALUE_WIDTH,
        "height": CHART_TOP + len(bars) * CHART_ROW_HEIGHT + 8,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_x": left,
        "ticks": [
            {"x": left + CHART_BAR_WIDTH * share, "label": f"{int(share * 100)}%"}
            for share in (0, 0.25, 0.5, 0.75, 1)
        ],
        "axis_bottom": CHART_TOP + len(bars) * CHART_ROW_HEIGHT,
        "title": f"功能室利用率：{report.scope.label}，{report.period.label}",
        "description": description + "。",
    }


# -- the page -----------------------------------------------------------------------------


class UtilisationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "activities/admin/utilisation.html"
    page_title = "功能室利用率"
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        if not access_of(request).may_view:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access = access_of(self.request)
        today = timezone.localdate()
        period, period_error = read_period(self.request, today)
        scope, scope_error = read_scope(self.request, access)
        if period_error:
            messages.error(self.request, f"{period_error}下面是{period.label}的数据。")
        if scope_error:
            messages.error(self.request, f"{scope_error}下面是“{scope.label}”的数据。")
        report = utilisation_report(period, scope)
        context.update(
            {
                "report": report,
                "chart": bar_chart(report),
                "help_text": HELP_TEXT,
                "period": period,
                "scope": scope,
                "scope_choices": access.choices(),
                "units": UNITS.items(),
                "quick_periods": [
                    {
                        "label": label,
                        "query": query_for(quick, scope),
                        "current": quick == period,
                    }
                    for label, quick in quick_periods(today)
                ],
                "previous_query": query_for(period.previous(), scope),
                "next_query": query_for(period.next(), scope),
                "export_url": reverse("activities_utilisation:export")
                + "?"
                + query_for(period, scope),
            }
        )
        return context


# -- the xlsx export ----------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
HOURS_FORMAT = "0.0"
RATIO_FORMAT = "0.0%"

SUMMARY_KINDS = {"center": "中心", "street": "街道", "total": "合计"}

COLUMNS = [
    ("街道", 14, None),
    ("服务中心", 26, None),
    ("功能室", 14, None),
    ("状态", 8, None),
    ("开放时长（小时）", 12, HOURS_FORMAT),
    ("已用时长（小时）", 12, HOURS_FORMAT),
    ("利用率", 10, RATIO_FORMAT),
    ("开放时间外（小时）", 12, HOURS_FORMAT),
    ("场次", 8, "0"),
    ("已签到人次", 10, "0"),
    ("提供名额", 10, "0"),
    ("到场率", 10, RATIO_FORMAT),
]


def figures_cells(figures) -> list:
    return [
        figures.open_hours,
        figures.booked_hours,
        figures.utilisation,
        figures.outside_hours,
        figures.occurrences,
        figures.attended,
        figures.capacity_offered,
        figures.attendance,
    ]


def build_workbook(report) -> Workbook:
    """One sheet: the period and scope on top, a row per room, then the summaries.
    Hours and ratios are numbers (formatted as 0.0 and 0.0%), so staff can sum them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "功能室利用率"
    sheet.append(["功能室利用率"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["统计期间", report.period.label])
    sheet.append(["范围", report.scope.label])
    sheet.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append(["说明", " ".join(HELP_TEXT)])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([label for label, _width, _format in COLUMNS])
    for cell in sheet[header_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for line in report.lines:
        sheet.append(
            [
                line.street.title if line.street else "",
                line.center.title,
                line.room.name,
                "闲置" if line.is_idle else "",
                *figures_cells(line),
            ]
        )
    sheet.append([])
    summary_header = sheet.max_row + 1
    sheet.append(["汇总", "名称", "功能室（间）", "闲置（间）"])
    for cell in sheet[summary_header]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for summary in [*report.centers, *report.streets, report.total]:
        sheet.append(
            [
                SUMMARY_KINDS[summary.kind],
                summary.label,
                summary.rooms,
                summary.idle_rooms,
                *figures_cells(summary),
            ]
        )
        if summary.kind == "total":
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
    for index, (_label, width, number_format) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    return workbook


class UtilisationExportView(View):
    def get(self, request):
        access = access_of(request)
        if not access.may_view:
            return permission_denied(request)
        period, period_error = read_period(request, timezone.localdate())
        scope, scope_error = read_scope(request, access)
        if period_error or scope_error:
            # A file of another period or scope than asked would mislead: say what was wrong.
            return HttpResponseBadRequest(
                period_error + scope_error + "未导出文件。",
                content_type="text/plain; charset=utf-8",
            )
        report = utilisation_report(period, scope)
        buffer = BytesIO()
        build_workbook(report).save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        file_name = f"功能室利用率_{scope.label}_{period.first}至{period.last}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, file_name)
        return response


# -- hooks --------------------------------------------------------------------------------

urlpatterns = [
    path("", UtilisationView.as_view(), name="index"),
    path("export/", UtilisationExportView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_utilisation_urls():
    return [
        path(
            "activities/utilisation/",
            include((urlpatterns, "activities_utilisation"), namespace="activities_utilisation"),
        )
    ]


class UtilisationMenuItem(MenuItem):
    def is_shown(self, request):
        return access_of(request).may_view


@hooks.register(MENU_HOOK)
def register_utilisation_menu_item():
    """In the 活动与功能室 menu group, after its own items."""
    return UtilisationMenuItem(
        "功能室利用率",
        reverse("activities_utilisation:index"),
        name="activities-utilisation",
        icon_name="time",
        order=290,
    )
