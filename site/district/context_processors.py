"""Template context shared by every page."""

ELDERLY_MODE_COOKIE = "elderly_mode"


def is_elderly_mode(request) -> bool:
    return request.COOKIES.get(ELDERLY_MODE_COOKIE) == "1"


def elderly_mode(request):
    return {"elderly_mode": is_elderly_mode(request)}
