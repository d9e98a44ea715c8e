"""Forms of the editors' admin that replace Wagtail's (named in settings)."""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    """Wagtail's sign-in form declares its password field without a label, so Django makes
    one from the field name ("Password") that no catalog translates; this gives it Django's
    own translatable label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
