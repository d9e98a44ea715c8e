"""The residents' sign-up form: two fields, big and labelled, for phones and elderly users.

The form only checks that something was typed; the rules (a real mobile number, places,
duplicates) are ``activities.registration.service``'s, whose errors the view puts back
next to the fields.
"""

from django import forms

from activities.registration.service import NAME_MAX_LENGTH


class TelInput(forms.TextInput):
    input_type = "tel"


class SignUpForm(forms.Form):
    name = forms.CharField(
        label="姓名",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": "请填写姓名。", "max_length": "姓名太长了。"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label="手机号",
        # Room for spaces, dashes and +86, which normalize_mobile removes.
        max_length=20,
        error_messages={"required": "请填写手机号码。", "max_length": "手机号码太长了。"},
        help_text="只用于活动通知，页面上只显示前3位和后4位。",
        widget=TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
