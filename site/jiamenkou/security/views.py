"""The admin's log report with the center of each entry (jiamenkou/security/audit.py):
Wagtail's 站点历史, plus a 服务中心 column and filter and the center in its export."""

import django_filters
from django.urls import reverse_lazy
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet

from jiamenkou.security.audit import DATA_KEY, center_titles


def _centers(request):
    """The filter offers the centers the editor may edit (every one to district editors)."""
    from district.models import CenterPage
    from district.permissions import editable_centers

    if request is None:
        return CenterPage.objects.order_by("code", "title")
    return editable_centers(request.user).order_by("code", "title")


class CenterLogFilterSet(SiteHistoryReportFilterSet):
    center = django_filters.ModelChoiceFilter(
        label="服务中心", queryset=_centers, method="filter_center", empty_label="全部"
    )

    def filter_center(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{f"data__{DATA_KEY}__has_key": str(value.pk)})

    class Meta(SiteHistoryReportFilterSet.Meta):
        pass


class CenterLogView(LogEntriesView):
    page_title = "操作日志"
    filterset_class = CenterLogFilterSet
    results_template_name = "security/admin/log_results.html"
    index_url_name = "jiamenkou_security:log"
    index_results_url_name = "jiamenkou_security:log_results"
    export_headings = {**LogEntriesView.export_headings, "centers": "服务中心"}
    list_export = [*LogEntriesView.list_export, "centers"]

    def decorate_paginated_queryset(self, queryset):
        entries = super().decorate_paginated_queryset(queryset)
        for entry in entries:
            entry.centers = "、".join(center_titles(entry))
        return entries


LOG_URL = reverse_lazy("jiamenkou_security:log")
