"""积分查询: a resident looks up their own total, star level and history.

/jifen/chaxun/ takes a mobile number (or volunteer number) and a code: one sent by SMS
when a gateway is configured (the "send" button), or the code on a slip printed at the
center. A right code opens /jifen/chaxun/wode/ for LOOKUP_MINUTES in this browser's session
(nothing in the URL); the pages are never cached and show nothing about anyone else.
"""

from __future__ import annotations

import time

from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from honors import lookup, sms
from honors.models import Participant, PointsEntry, PointsSource
from honors.rankings import all_time_totals, star_level, star_levels
from jiamenkou.privacy import mask_personal_numbers
from jiamenkou.security.ratelimit import (
    POINTS_LOOKUP,
    POINTS_SMS,
    RateLimited,
    client_address,
    enforce,
    too_many_requests,
)

SESSION_KEY = "honors_lookup"
LOOKUP_MINUTES = 15
WRONG_CODE = (
    "号码或查询码不正确，或查询码已过期。请核对后重试；"
    f"同一查询码输错{lookup.MAX_ATTEMPTS}次后失效，需要重新获取。"
)
SENT = "如号码已登记，验证码已发送到登记的手机，10分钟内有效。"


class NumberForm(forms.Form):
    number = forms.CharField(
        label="手机号或志愿者编号",
        max_length=30,
        error_messages={"required": "请填写登记积分时留的手机号或志愿者编号"},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "text"}),
    )


class LookupForm(NumberForm):
    code = forms.CharField(
        label="验证码或查询凭条上的查询码",
        max_length=20,
        error_messages={"required": "请填写短信验证码或查询凭条上的查询码"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def private(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def opened_ids(request) -> list[int]:
    """The participants this session may see, while the look-up is still valid."""
    found = request.session.get(SESSION_KEY) or {}
    if found.get("until", 0) < time.time():
        return []
    return [int(pk) for pk in found.get("ids", [])]


@require_http_methods(["GET", "POST"])
def lookup_view(request):
    gateway = sms.gateway_configured()
    form = LookupForm()
    message = "查询已超过15分钟或已退出，请重新查询。" if "expired" in request.GET else ""
    if request.method == "POST":
        sending = request.POST.get("action") == "send" and gateway
        try:
            address = client_address(request)
            enforce((POINTS_LOOKUP, address), (POINTS_SMS, address if sending else ""))
        except RateLimited as refused:
            return private(too_many_requests(request, refused))
        if sending:
            form = LookupForm(initial={"number": request.POST.get("number", "")})
            asked = NumberForm(request.POST)
            if asked.is_valid():
                try:
                    lookup.send_sms_code(asked.cleaned_data["number"])
                    message = SENT
                except lookup.TooManyCodes as refused:
                    message = str(refused)
            else:
                form = LookupForm(request.POST)
                form.errors.pop("code", None)
        else:
            form = LookupForm(request.POST)
            if form.is_valid():
                opened = lookup.verify(form.cleaned_data["number"], form.cleaned_data["code"])
                if opened:
                    request.session.cycle_key()
                    request.session[SESSION_KEY] = {
                        "ids": [p.pk for p in opened],
                        "until": time.time() + LOOKUP_MINUTES * 60,
                    }
                    return private(redirect("honors:lookup_result"))
                form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "gateway": gateway,
        "message": message,
        "max_attempts": lookup.MAX_ATTEMPTS,
    }
    return private(TemplateResponse(request, "honors/lookup.html", context))


def history_of(participant_ids) -> list[PointsEntry]:
    """Every ledger entry of the participants, newest first, with the entry each reversal
    reverses and the reversal of each reversed entry (one query)."""
    entries = (
        PointsEntry.objects.filter(participant_id__in=participant_ids)
        .select_related("center", "reverses", "reversed_by")
        .order_by("-date", "-pk")
    )
    return list(entries)


@require_http_methods(["GET", "POST"])
def result_view(request):
    if request.method == "POST":  # 退出查询
        request.session.pop(SESSION_KEY, None)
        return private(redirect("honors:lookup"))
    ids = opened_ids(request)
    if not ids:
        request.session.pop(SESSION_KEY, None)
        return private(redirect(reverse("honors:lookup") + "?expired=1"))
    participants = list(Participant.objects.filter(pk__in=ids).select_related("center"))
    totals = all_time_totals(ids)
    levels = star_levels()
    entries = history_of(ids)
    people = []
    for participant in sorted(participants, key=lambda p: p.pk):
        total = totals.get(participant.pk, 0)
        people.append(
            {
                "participant": participant,
                "mobile": mask_personal_numbers(participant.mobile),
                "total": total,
                "star_level": star_level(total, levels),
                "entries": [e for e in entries if e.participant_id == participant.pk],
            }
        )
    context = {
        "people": people,
        "minutes": LOOKUP_MINUTES,
        "reversal": PointsSource.REVERSAL,
    }
    return private(TemplateResponse(request, "honors/lookup_result.html", context))
