"""积分查询凭条: an editor prints a participant a slip with a look-up code, for residents to
see their own points where no SMS gateway is configured (or who have no mobile phone).

/admin/honors/lookup/ finds participants of the centers the editor may edit (by name,
mobile or volunteer number, mobiles masked); 打印凭条 (a POST) issues a new slip code
(honors.lookup.issue_slip: earlier slips of the participant stop working) and answers
with the printable slip. The code is shown only then: the database keeps its hash.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from activities.kiosk.qr import qr_svg
from district.permissions import editable_center_ids
from honors import lookup, sms
from honors.admin.ledger import editable_participants
from honors.ledger import masked_identity
from honors.models import Participant
from honors.rankings import shown_name

TEMPLATES = "honors/admin/lookup/"
PER_PAGE = 50


class SlipChooserView(WagtailAdminTemplateMixin, TemplateView):
    template_name = TEMPLATES + "index.html"
    page_title = "积分查询凭条"
    header_icon = "print"

    def dispatch(self, request, *args, **kwargs):
        self.center_ids = editable_center_ids(request.user)
        if not self.center_ids:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        text = self.request.GET.get("q", "")
        participants = editable_participants(self.center_ids, text)
        rows = [
            {
                "participant": participant,
                "identity": masked_identity(participant),
                "total": participant.total or 0,
                "slip_url": reverse("honors_lookup_slip", args=[participant.pk]),
            }
            for participant in participants[:PER_PAGE]
        ]
        return super().get_context_data(
            **kwargs,
            q=text,
            rows=rows,
            more=participants.count() > PER_PAGE if len(rows) == PER_PAGE else False,
            gateway=sms.gateway_configured(),
            valid_days=lookup.SLIP_VALID_DAYS,
        )


@require_POST
def print_slip(request, participant_id):
    participant = get_object_or_404(Participant.objects.select_related("center"), pk=participant_id)
    if participant.center_id not in editable_center_ids(request.user):
        return permission_denied(request)
    code, row = lookup.issue_slip(participant, request.user)
    url = request.build_absolute_uri(reverse("honors:lookup"))
    context = {
        "participant": participant,
        "center": participant.center,
        "shown_name": shown_name(participant),
        "identity": masked_identity(participant),
        "code": lookup.grouped(code),
        "expires_at": row.expires_at,
        "url": url,
        "qr": mark_safe(qr_svg(url, "积分查询网址二维码")),
        "back_url": reverse("honors_lookup_slips"),
    }
    response = TemplateResponse(request, TEMPLATES + "slip.html", context)
    response["Cache-Control"] = "no-store"
    return response


@hooks.register("register_admin_urls")
def register_lookup_urls():
    return [
        path("honors/lookup/", SlipChooserView.as_view(), name="honors_lookup_slips"),
        path("honors/lookup/<int:participant_id>/slip/", print_slip, name="honors_lookup_slip"),
    ]


class SlipMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(editable_center_ids(request.user))


@hooks.register("register_points_menu_item")
def register_slip_menu_item():
    return SlipMenuItem(
        "查询凭条", reverse("honors_lookup_slips"), name="points-slips", icon_name="print",
        order=140,
    )  # fmt: skip
