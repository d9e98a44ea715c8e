"""The admin form of a disclosure: an xlsx upload that fills the finance rows, and a box
that masks ID and mobile numbers in the text and tables before saving.

An uploaded sheet is read in clean(); a refused one lists its problems under the upload
field and nothing is saved. An accepted one replaces the rows typed below it (the
formset's rows lose to the sheet's in save()) and is kept as a Document, the page's
收支表原件.

Imports nothing of disclosures.models at module level (the page model names this form).
"""

from __future__ import annotations

import os

from django import forms
from django.core.files.base import ContentFile
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

MAX_SHEET_BYTES = 5 * 1024 * 1024


class DisclosurePageForm(WagtailAdminPageForm):
    finance_sheet = forms.FileField(
        label=_("上传收支表（xlsx）"),
        required=False,
        help_text=_("列：日期、摘要、收入、支出、凭证号；最后一行“合计”。上传后替换下面的收支明细"),
    )
    mask_numbers = forms.BooleanField(
        label=_("保存前自动遮盖身份证号和手机号"),
        required=False,
        help_text=_("正文和表格中的身份证号改为 110101********1234，手机号改为 138****5678"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finance_sheet_rows = None  # FinanceRow objects of an accepted upload
        self._sheet_content = None
        self._sheet_name = ""
        if "finance_sheet" in self.fields:
            self.fields["finance_sheet"].widget.attrs.setdefault(
                "accept",
                ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("finance_sheet")
        if upload:
            self._clean_finance_sheet(upload, cleaned_data)
        else:
            self._show_typed_rows()
        if cleaned_data.get("mask_numbers"):
            self._mask_numbers(cleaned_data)
        return cleaned_data

    def _clean_finance_sheet(self, upload, cleaned_data) -> None:
        from disclosures.finance import FinanceSheetError, read_finance_sheet, sheet_row_objects
        from disclosures.models.kinds import DisclosureKind

        if cleaned_data.get("kind") != DisclosureKind.FINANCE:
            self.add_error(
                "finance_sheet", _("只有“财务公开”可以上传收支表，请先把公开类型选为财务公开")
            )
            return
        name = os.path.basename(getattr(upload, "name", "") or "")
        if not name.lower().endswith(".xlsx"):
            self.add_error(
                "finance_sheet", _("请上传 .xlsx 格式的收支表（旧的 .xls 请另存为 .xlsx）")
            )
            return
        if upload.size and upload.size > MAX_SHEET_BYTES:
            self.add_error("finance_sheet", _("收支表文件超过 5MB，请只保留本月收支明细"))
            return
        upload.seek(0)
        content = upload.read()
        try:
            sheet = read_finance_sheet(content, period=self._period(cleaned_data))
        except FinanceSheetError as error:
            self.add_error("finance_sheet", error.messages)
            return
        from disclosures import guard

        check_upload = getattr(guard, "uploaded_file_messages", None)
        if check_upload is not None:
            refusals = check_upload("上传的收支表", name, content)
            if refusals:
                self.add_error("finance_sheet", refusals)
                return
        self._sheet_content, self._sheet_name = content, name
        self.finance_sheet_rows = sheet_row_objects(sheet)
        # The page's own checks (the privacy guard) see the sheet's rows, not the old ones.
        self.instance.finance_rows = self.finance_sheet_rows

    def _show_typed_rows(self) -> None:
        """Put the rows typed in the formset on the page before the page's own checks run
        (the privacy guard reads page.finance_rows; a formset saves only later). They are
        the objects the formset saves, so masking them masks what is saved."""
        formset = self.formsets.get("finance_rows")
        if formset is None or not formset.is_valid():
            return
        if formset.can_order:
            kept = formset.ordered_forms
        else:
            kept = [
                form
                for i, form in enumerate(formset.forms)
                if (i < formset.initial_form_count() or form.has_changed())
                and not (formset.can_delete and formset._should_delete_form(form))
            ]
        self.instance.finance_rows = [form.instance for form in kept]

    @staticmethod
    def _period(cleaned_data):
        """The period typed in the form, when it is a valid one; else None (no check)."""
        from disclosures.models.kinds import Period, PeriodKind

        kind, year = cleaned_data.get("period_kind"), cleaned_data.get("period_year")
        number, on = cleaned_data.get("period_number"), cleaned_data.get("matter_date")
        if not kind or not year:
            return None
        top = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}.get(kind)
        if top and not (number and 1 <= number <= top):
            return None
        if kind == PeriodKind.MATTER and not on:
            return None
        return Period(kind, year, number if top else None, on)

    def _mask_numbers(self, cleaned_data) -> None:
        """Let the privacy guard mask numbers on the page as typed; the masked values go
        back into cleaned_data so the instance the form builds keeps them."""
        from disclosures import guard

        mask_page_numbers = getattr(guard, "mask_page_numbers", None)
        if mask_page_numbers is None:
            return
        construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        mask_page_numbers(self.instance)
        model_fields = {f.name for f in self.instance._meta.concrete_fields}
        for name in list(cleaned_data):
            if name in model_fields and name in self.fields:
                cleaned_data[name] = getattr(self.instance, name)

    def save(self, commit=True):
        if self.finance_sheet_rows is None:
            return super().save(commit=commit)
        instance = super().save(commit=False)
        # The formset has put the typed rows on the page; the uploaded sheet's rows win.
        instance.finance_rows = self.finance_sheet_rows
        instance.finance_source = self._source_document(instance)
        if commit:
            instance.save()
            self.save_m2m()
            if self.show_comments_toggle and self.subscription:
                self.subscription.save()
        return instance

    def _source_document(self, instance):
        """The uploaded xlsx kept as a Document in the root collection, for download."""
        from wagtail.documents import get_document_model
        from wagtail.models import Collection

        Document = get_document_model()
        title = f"{instance.period.label}财务收支表（原件）"
        key = instance.period.key if instance.period_year else "sheet"
        filename = f"caiwu-{key}.xlsx"
        document = Document(
            title=title,
            collection=Collection.get_first_root_node(),
            uploaded_by_user=self.for_user if getattr(self.for_user, "pk", None) else None,
        )
        document.file.save(filename, ContentFile(self._sheet_content), save=False)
        document._set_document_file_metadata()
        document.save()
        return document
