"""The sign-in lockout's authentication backend."""

from axes.backends import AxesStandaloneBackend


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' watcher, for sign-ins that come with a request.

    Wagtail's sign-in form passes the request, so every sign-in through the site is
    counted and refused while locked out. A call without one (Django's test client
    ``login()``, a management command) is no web form anyone can hammer: axes would raise,
    here it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
