"""The service form of the admin: the catalog's rules, and each editor's own centers."""

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from catalog.models import CorrectionReason, CorrectionReport, Location
from catalog.models.services import CHANNELS_WITH_URL
from catalog.permissions import may_offer_at
from catalog.rules import price_problems
from district.permissions import editable_center_ids, is_district_editor


def live_forms(formset):
    return [
        form for form in formset.forms if form.is_valid() and not form.cleaned_data.get("DELETE")
    ]


def own_locations_form(form_class, locations):
    """``form_class`` whose 办理地点 offers only ``locations``."""

    class OwnLocationsForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["location"].queryset = locations

    return OwnLocationsForm


class ServiceAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not is_district_editor(for_user):
            # Center editors may only pick their own centers.
            own = Location.objects.filter(center_id__in=editable_center_ids(for_user))
            formset = self.formsets["service_at_locations"]
            for form in formset.forms:
                form.fields["location"].queryset = own
            # The blank row the 增加 button copies is built anew on each access of
            # ``empty_form``, from the formset's form class: limit it there.
            formset.form = own_locations_form(formset.form, own)

    def clean(self):
        cleaned_data = super().clean()
        self._check_centers()
        self._check_prices(cleaned_data)
        self._check_channels()
        return cleaned_data

    def _check_centers(self):
        if self.for_user is None:
            return
        centers = {
            form.cleaned_data["location"].center_id
            for form in live_forms(self.formsets["service_at_locations"])
        }
        if not may_offer_at(self.for_user, centers):
            raise ValidationError(
                "您只能登记本中心提供的服务：请至少选择一个您负责的服务中心作为办理地点，且不要选择其他中心。"
            )

    def _check_prices(self, cleaned_data):
        cost_forms = live_forms(self.formsets["cost_options"])
        problems = price_problems(
            cleaned_data.get("kind"),
            cleaned_data.get("market_reference_price"),
            [form.cleaned_data.get("amount") for form in cost_forms],
            cleaned_data.get("fees_description", ""),
        )
        for where, message in problems:
            if where == "reference":
                self.add_error("market_reference_price", message)
            elif where == "fees_description":
                self.add_error("fees_description", message)
            else:
                cost_forms[where[1]].add_error("amount", message)
                self.add_error(None, message)

    def _check_channels(self):
        for form in live_forms(self.formsets["channels"]):
            if form.cleaned_data.get("channel") in CHANNELS_WITH_URL and not form.cleaned_data.get(
                "url"
            ):
                form.add_error("url", "网上办、指尖办须填写办理入口网址。")
                self.add_error(None, "网上办、指尖办须填写办理入口网址。")


class CorrectionForm(forms.ModelForm):
    """纠错: a short form, no account needed."""

    class Meta:
        model = CorrectionReport
        fields = ["reason", "details", "contact"]
        widgets = {
            "reason": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "contact": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }
        labels = {"details": "具体情况（选填）", "contact": "联系电话（选填，便于回访）"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = CorrectionReason.choices  # no empty "---------" radio
