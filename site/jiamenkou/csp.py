"""The Content-Security-Policy header: django-csp's middleware, with the admin's needs.

The public site gets settings.CONTENT_SECURITY_POLICY as it is: its own files only, no
inline script or style. The Wagtail admin (/admin/) gets the same policy with
ADMIN_POLICY_UPDATE added, because Wagtail itself (not our templates) needs more there;
see the comment on ADMIN_POLICY_UPDATE for what and why. A view's own ``csp_update`` or
``csp_replace`` (django-csp's decorators) still wins over this.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.urls import reverse

#: What /admin/ adds to the site's policy, found by loading Wagtail's pages (the explorer,
#: the page editor with its preview, saving a draft) in Chromium under the strict policy
#: (tests/browser/test_csp.py):
#: - script-src and style-src 'unsafe-inline': Wagtail 8's own templates carry inline
#:   <script> blocks (the explorer's and the editor's set-up code, its panels' widgets)
#:   and style="…" attributes, and its vendor.js writes <script> and <style> elements at
#:   run time. Nonces cannot help: widgets render without the request, and a nonce in a
#:   directive makes browsers ignore its 'unsafe-inline'. This is wagtail/wagtail#1288,
#:   still open. The admin is for signed-in staff only; eval stays refused, and nothing
#:   may come from another origin.
#: - frame-ancestors 'self': the page editor shows its live preview in a frame of the
#:   admin's own preview view (which says X-Frame-Options SAMEORIGIN; CSP overrides it).
ADMIN_POLICY_UPDATE = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
}
ADMIN_POLICY_REPLACE = {
    "frame-ancestors": [SELF],
}


def admin_prefix() -> str:
    """The path the Wagtail admin is mounted at (``/admin/``)."""
    return reverse("wagtailadmin_home")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if getattr(request, "is_dummy", False):
            # Wagtail's preview runs the page's own URL through the middleware inside the
            # admin's request (Page.make_preview_request): the admin's request sets the
            # header on the way out, with the admin's policy, as the preview is framed there.
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(admin_prefix()):
            parts.update = {**ADMIN_POLICY_UPDATE, **(parts.update or {})}
            parts.replace = {**ADMIN_POLICY_REPLACE, **(parts.replace or {})}
        return parts
