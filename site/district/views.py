from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from district.context_processors import ELDERLY_MODE_COOKIE

ONE_YEAR = 365 * 24 * 3600


@require_GET
def toggle_elderly_mode(request):
    """Switch 关怀版 on (``?on=1``) or off (``?on=0``) and go back where the resident was.

    A plain link, so it works without JavaScript; the script on every page does the
    same in place. Setting (not flipping) the value keeps a repeated request harmless.
    """
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(ELDERLY_MODE_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax")
    else:
        response.delete_cookie(ELDERLY_MODE_COOKIE, samesite="Lax")
    return response
