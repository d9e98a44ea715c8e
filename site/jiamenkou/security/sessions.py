"""Admin sessions: a working day from the editor's last admin request.

Settings make every session end with the browser and after SESSION_COOKIE_AGE (8 hours)
without being saved. This middleware saves a signed-in editor's session on admin requests,
so the 8 hours count from their last work in the admin, not from signing in. Public pages
never save a session for it: they stay cacheable, and a resident's points look-up keeps
its own 15 minutes.
"""

import time

#: Saved at most this often (seconds), not on every admin request.
TOUCH_EVERY = 60
TOUCHED_KEY = "admin_seen"


class AdminSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # After the view, which has looked the editor up already; and not when it failed
        # (the database may be down: jiamenkou/faults.py answers that request). The session
        # middleware above saves the touched session on the way out.
        if (
            request.path.startswith("/admin/")
            and response.status_code < 500
            and request.user.is_authenticated
        ):
            now = int(time.time())
            if now - request.session.get(TOUCHED_KEY, 0) >= TOUCH_EVERY:
                request.session[TOUCHED_KEY] = now  # modified: saved with a new expiry
        return response
