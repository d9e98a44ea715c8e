"""The admin form of a disclosure: an xlsx upload that fills the finance rows, and a box
that masks ID and mobile numbers in the text and tables before saving.

Imports nothing of disclosures.models at module level (the page model names this form).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


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
