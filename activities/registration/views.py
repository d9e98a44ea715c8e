"""Residents' sign-up pages (no account needed): sign up for one session, see one's
sign-up (confirmed, or 候补第N位) through one's own link, and cancel it there.

The rules are ``activities.registration.service``'s; the links ``links``'s. Phone
numbers are shown masked (138****5678) on every page.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from activities.models import Occurrence, SignUpStatus
from activities.registration import links, service
from activities.registration.forms import SignUpForm
from activities.registration.throttle import TooManySignUps
from activities.scheduling import describe_span
from jiamenkou.privacy import mask_personal_numbers
from jiamenkou.security.ratelimit import client_address

TEMPLATES = "activities/registration/"


def session_context(occurrence) -> dict:
    """What every sign-up page shows of the session."""
    activity = occurrence.activity
    return {
        "occurrence": occurrence,
        "activity": activity,
        "when": describe_span(occurrence),
        "place": activity.place_label,
    }


@require_http_methods(["GET", "POST"])
def sign_up(request, occurrence_id):
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("activity__room", "center").with_sign_up_counts(),
        pk=occurrence_id,
        activity__signup_required=True,
    )
    form = SignUpForm(request.POST or None)
    status = 200
    throttled = retry_after = False
    if request.method == "POST" and form.is_valid():
        try:
            new = service.sign_up(
                occurrence,
                form.cleaned_data["name"],
                form.cleaned_data["phone"],
                ip=client_address(request),
            )
        except TooManySignUps as refusal:
            throttled, status, retry_after = str(refusal), 429, refusal.retry_after
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(None if field == NON_FIELD_ERRORS else field, field_errors)
        else:
            return redirect(links.sign_up_url(new))
    left = service.places_left(occurrence)
    context = {
        **session_context(occurrence),
        "form": form,
        "closed_reason": service.closed_reason(occurrence),
        "places_left": left,
        "full": left == 0,
        "throttled": throttled,
    }
    response = render(request, TEMPLATES + "sign_up.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _link_problem(request, error: links.BadLink):
    return render(
        request, TEMPLATES + "bad_link.html", {"message": error.message}, status=error.status
    )


def signed_up(request, token):
    """The resident's own page for a sign-up: what, when, status, and the cancel link."""
    try:
        sign_up = links.sign_up_from_token(token)
    except links.BadLink as error:
        return _link_problem(request, error)
    context = {
        **session_context(sign_up.occurrence),
        "sign_up": sign_up,
        "masked_phone": mask_personal_numbers(sign_up.phone),
        "waitlist_position": service.waitlist_position(sign_up),
        "is_live": sign_up.status != SignUpStatus.CANCELLED,
        "cancel_url": links.cancel_url(sign_up),
        "sign_up_url": reverse("activities:sign_up", args=[sign_up.occurrence_id]),
    }
    return render(request, TEMPLATES + "signed_up.html", context)


@require_http_methods(["GET", "POST"])
def cancel_sign_up(request, token):
    """Asks to confirm (GET), then cancels (POST) and shows the sign-up as cancelled."""
    try:
        sign_up = links.sign_up_from_token(token)
    except links.BadLink as error:
        return _link_problem(request, error)
    if sign_up.status == SignUpStatus.CANCELLED:
        messages.info(request, "这条报名已经取消了，无需再次操作。")
        return redirect(links.sign_up_url(sign_up))
    if request.method == "POST":
        try:
            service.cancel(sign_up)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            messages.success(request, "已取消报名，谢谢您及时告知！")
        return redirect(links.sign_up_url(sign_up))
    context = {
        **session_context(sign_up.occurrence),
        "sign_up": sign_up,
        "masked_phone": mask_personal_numbers(sign_up.phone),
        "back_url": links.sign_up_url(sign_up),
    }
    return render(request, TEMPLATES + "cancel.html", context)


urlpatterns = [
    path("baoming/<int:occurrence_id>/", sign_up, name="sign_up"),
    path("baoming/wode/<str:token>/", signed_up, name="signed_up"),
    path("baoming/quxiao/<str:token>/", cancel_sign_up, name="cancel_sign_up"),
]
