"""The editors' side of the points ledger (积分), under the admin menu "积分":

- 积分记录: the entries of the centers the editor may edit, filtered by center, date and
  source; no edit or delete (the ledger only grows), a 冲正 (reversal) with a required
  reason instead.
- 积分对象: the people and teams, searched by name, mobile or volunteer number; mobiles
  shown masked. 修改 corrects a participant's name, kind and volunteer number and records
  their consent to a full name on the ranking (the mobile is shown masked, not changed);
  打印查询凭条 posts to honors.admin.lookup.
- 录入积分: one entry, for a participant chosen from the list or found (or registered) by
  mobile or volunteer number and name.
- 积分导入: an xlsx of entries for one center, all or nothing (honors.excel), and its
  template.

Every view answers only for the centers of district.permissions.editable_center_ids.
Other admin modules may add items to the menu with the hook ``register_points_menu_item``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from catalog.excel.problems import ExcelImportError
from catalog.excel.views import UploadForm
from catalog.excel.workbook import CONTENT_TYPE
from district.permissions import editable_center_ids, editable_centers
from honors import excel, ledger
from honors.models import Participant, PointsEntry, PointsSource
from jiamenkou.privacy import mask_personal_numbers

app_name = "honors_ledger"
TEMPLATES = "honors/admin/ledger/"
MENU_HOOK = "register_points_menu_item"
PER_PAGE = 50


def centers_for(user):
    """The centers ``user`` may keep points for, in the tree's order."""
    return editable_centers(user).order_by("path")


def may_keep_points(user) -> bool:
    return bool(editable_center_ids(user))


class LedgerViewMixin(WagtailAdminTemplateMixin):
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        self.center_ids = editable_center_ids(request.user)
        if not self.center_ids:
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


def entry_row(entry, reversed_ids) -> dict:
    return {
        "entry": entry,
        "identity": ledger.masked_identity(entry.participant),
        "reversed": entry.pk in reversed_ids,
        "may_reverse": entry.source != PointsSource.REVERSAL and entry.pk not in reversed_ids,
        "reverse_url": reverse("honors_ledger:reverse", args=[entry.pk]),
    }


# -- 积分记录 -------------------------------------------------------------------------------


class EntryFilterForm(forms.Form):
    center = forms.ModelChoiceField(label="服务中心", queryset=None, required=False)
    source = forms.ChoiceField(
        label="来源", choices=[("", "全部")] + PointsSource.choices, required=False
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    participant = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers
        self.fields["center"].empty_label = "全部"

    def filter(self, entries):
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["center"]:
            entries = entries.filter(center=data["center"])
        if data["source"]:
            entries = entries.filter(source=data["source"])
        if data["date_from"]:
            entries = entries.filter(date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(date__lte=data["date_to"])
        if data["participant"]:
            entries = entries.filter(participant_id=data["participant"])
        return entries


class EntryListView(LedgerViewMixin, TemplateView):
    template_name = TEMPLATES + "entries.html"
    page_title = "积分记录"

    def get_context_data(self, **kwargs):
        filters = EntryFilterForm(self.request.GET or None, centers=centers_for(self.request.user))
        entries = filters.filter(
            PointsEntry.objects.filter(center_id__in=self.center_ids).select_related(
                "participant", "center", "created_by"
            )
        )
        page = Paginator(entries, PER_PAGE).get_page(self.request.GET.get("p"))
        reversed_ids = set(
            PointsEntry.objects.filter(reverses__in=[entry.pk for entry in page]).values_list(
                "reverses_id", flat=True
            )
        )
        query = self.request.GET.copy()
        query.pop("p", None)
        participant = None
        if filters.is_valid() and filters.cleaned_data["participant"]:
            participant = Participant.objects.filter(pk=filters.cleaned_data["participant"]).first()
        return super().get_context_data(
            **kwargs,
            filters=filters,
            page=page,
            rows=[entry_row(entry, reversed_ids) for entry in page],
            total=entries.aggregate(total=Sum("points"))["total"] or 0,
            query=query.urlencode(),
            participant=participant,
            add_url=reverse("honors_ledger:add"),
            import_url=reverse("honors_ledger:import"),
        )


# -- 积分对象 -------------------------------------------------------------------------------


def editable_participants(center_ids, text: str = ""):
    """The participants of ``center_ids`` matching ``text`` (name, volunteer number, or
    four or more digits of the mobile), each with its ``total`` of points."""
    return search_participants(
        Participant.objects.filter(center_id__in=center_ids)
        .select_related("center")
        .annotate(total=Sum("entries__points"))
        .order_by("center__path", "name", "pk"),
        text,
    )


def search_participants(participants, text: str):
    text = text.strip()
    if not text:
        return participants
    digits = "".join(char for char in text if char.isdigit())
    found = Q(name__icontains=text) | Q(volunteer_number__icontains=text)
    if len(digits) >= 4:
        # The number as typed (whole, or a part such as the last four digits).
        found |= Q(mobile__contains=digits)
    return participants.filter(found)


class ParticipantListView(LedgerViewMixin, TemplateView):
    template_name = TEMPLATES + "participants.html"
    page_title = "积分对象"

    def get_context_data(self, **kwargs):
        text = self.request.GET.get("q", "")
        participants = editable_participants(self.center_ids, text)
        page = Paginator(participants, PER_PAGE).get_page(self.request.GET.get("p"))
        entries_url = reverse("honors_ledger:entries")
        rows = [
            {
                "participant": participant,
                "identity": ledger.masked_identity(participant),
                "total": participant.total or 0,
                "entries_url": f"{entries_url}?{urlencode({'participant': participant.pk})}",
                "add_url": f"{reverse('honors_ledger:add')}?"
                + urlencode({"participant": participant.pk}),
                "edit_url": reverse("honors_ledger:participant_edit", args=[participant.pk]),
                "slip_url": slip_url(participant),
            }
            for participant in page
        ]
        return super().get_context_data(
            **kwargs, q=text, page=page, rows=rows, query=urlencode({"q": text})
        )


def slip_url(participant) -> str:
    """Where 打印查询凭条 posts for ``participant`` ("" while the look-up admin is absent)."""
    try:
        return reverse("honors_lookup_slip", args=[participant.pk])
    except NoReverseMatch:
        return ""


# -- 修改积分对象 -----------------------------------------------------------------------------


class ParticipantForm(forms.ModelForm):
    """What editors may correct after registration. The mobile (the participant's key at
    the center, and the look-up's) is not here: a new number means a new registration."""

    class Meta:
        model = Participant
        fields = ["name", "kind", "volunteer_number", "name_consent"]
        labels = {
            "name": "姓名或团队名",
            "kind": "类型",
            "volunteer_number": "志愿者编号",
            "name_consent": "本人同意在积分榜显示全名",
        }
        help_texts = {
            "volunteer_number": "全区唯一；没有可不填（没有手机号的须填写）。",
            "name_consent": "同意后积分榜显示全名，否则显示“张*明”。团队总是显示全名。",
        }
        error_messages = {
            "name": {"required": "请填写姓名或团队名。"},
            "kind": {"required": "请选择类型。", "invalid_choice": "请选择个人或团队。"},
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("请填写姓名或团队名。", code="required")
        return name

    def clean_volunteer_number(self):
        number = (self.cleaned_data.get("volunteer_number") or "").strip() or None
        if number is None:
            if not self.instance.mobile:
                raise ValidationError(
                    "该积分对象没有登记手机号，志愿者编号不能为空。", code="required"
                )
            return None
        taken = Participant.objects.filter(volunteer_number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                f"志愿者编号“{number}”已被另一积分对象使用，请核对后重新填写。", code="unique"
            )
        return number


class ParticipantEditView(LedgerViewMixin, FormView):
    template_name = TEMPLATES + "participant_edit.html"
    form_class = ParticipantForm
    page_title = "修改积分对象"
    header_icon = "edit"

    def dispatch(self, request, *args, **kwargs):
        self.participant = get_object_or_404(
            Participant.objects.select_related("center"), pk=kwargs["participant_id"]
        )
        if self.participant.center_id not in editable_center_ids(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.participant}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            participant=self.participant,
            # Only the masked number reaches the page.
            mobile=mask_personal_numbers(self.participant.mobile),
            total=ledger.total(self.participant),
            slip_url=slip_url(self.participant),
            cancel_url=reverse("honors_ledger:participants"),
        )

    def form_valid(self, form):
        changed = form.changed_data
        try:
            with transaction.atomic():
                participant = form.save()
        except IntegrityError:
            # Another editor took the number between the check and the save.
            form.add_error("volunteer_number", "这个志愿者编号刚被另一积分对象使用，请核对。")
            return self.form_invalid(form)
        if changed:
            log(
                participant,
                "wagtail.edit",
                user=self.request.user,
                content_changed=True,
                data={"fields": changed},
            )
        messages.success(self.request, f"已保存积分对象：{participant.name}。")
        return redirect("honors_ledger:participants")


# -- 录入积分 -------------------------------------------------------------------------------


def add_errors(form, error: ValidationError) -> None:
    """The ledger's refusal shown at the form's fields (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class EntryForm(forms.Form):
    center = forms.ModelChoiceField(label="记分中心", queryset=None)
    participant = forms.ModelChoiceField(
        label="积分对象",
        queryset=None,
        required=False,
        empty_label="（新的或按手机号、志愿者编号查找）",
        help_text="已登记的积分对象可直接选择；否则填写下面的姓名和手机号（或志愿者编号）。",
    )
    name = forms.CharField(label="姓名或团队名", max_length=60, required=False)
    mobile = forms.CharField(label="手机号", max_length=20, required=False)
    volunteer_number = forms.CharField(label="志愿者编号", max_length=30, required=False)
    points = forms.IntegerField(label="积分", help_text="扣分填负数")
    reason = forms.CharField(label="事由", max_length=200)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        centers = centers_for(user)
        self.fields["center"].queryset = centers
        self.fields["center"].empty_label = "请选择"
        participants = Participant.objects.filter(center__in=centers).order_by("name", "pk")
        self.fields["participant"].queryset = participants
        self.fields["participant"].label_from_instance = lambda who: (
            f"{who.name}（{ledger.masked_identity(who)}）"
        )
        self.user = user

    def clean(self):
        data = super().clean()
        center = data.get("center")
        if center is None or self.errors:
            return data
        if data.get("participant") is None:
            try:
                data["participant"] = ledger.participant_for(
                    center,
                    mobile=data.get("mobile") or None,
                    volunteer_number=data.get("volunteer_number") or None,
                    name=data.get("name", ""),
                )
            except ValidationError as error:
                add_errors(self, error)
        return data

    def save(self):
        data = self.cleaned_data
        return ledger.record(
            data["participant"],
            data["center"],
            data["points"],
            data["reason"],
            data["date"],
            PointsSource.MANUAL,
            user=self.user,
        )


class EntryCreateView(LedgerViewMixin, FormView):
    template_name = TEMPLATES + "add.html"
    form_class = EntryForm
    page_title = "录入积分"
    header_icon = "plus"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"date": timezone.localdate()}
        centers = centers_for(self.request.user)
        if centers.count() == 1:
            initial["center"] = centers.first()
        chosen = self.request.GET.get("participant", "")
        if chosen.isdigit():
            who = Participant.objects.filter(pk=chosen, center_id__in=self.center_ids).first()
            if who is not None:
                initial.update(participant=who, center=who.center)
        return initial

    def form_valid(self, form):
        try:
            # participant_for may have registered someone: keep that with the entry only.
            entry = form.save()
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"已为{entry.participant.name}（{ledger.masked_identity(entry.participant)}）"
            f"记入 {entry.points:+d} 分：{entry.reason}",
        )
        return redirect("honors_ledger:entries")

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().post(request, *args, **kwargs)
            if response.status_code != 302:
                # A refused form registers nobody.
                transaction.set_rollback(True)
        return response


# -- 冲正 ----------------------------------------------------------------------------------


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="冲正原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="必填，如：录入重复、活动未参加。原记录保留，另记一条相反的积分。",
        error_messages={"required": "请填写冲正原因。"},
    )


class ReverseView(LedgerViewMixin, FormView):
    template_name = TEMPLATES + "reverse.html"
    form_class = ReverseForm
    page_title = "冲正积分记录"
    header_icon = "rotate"

    def dispatch(self, request, *args, **kwargs):
        self.entry = get_object_or_404(
            PointsEntry.objects.select_related("participant", "center"), pk=kwargs["entry_id"]
        )
        if self.entry.center_id not in editable_center_ids(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            entry=self.entry,
            identity=ledger.masked_identity(self.entry.participant),
            cancel_url=reverse("honors_ledger:entries"),
        )

    def form_valid(self, form):
        try:
            counter = ledger.reverse(self.entry, form.cleaned_data["reason"], self.request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"已冲正：{self.entry.participant.name} {counter.points:+d} 分（{counter.reason}）",
        )
        return redirect("honors_ledger:entries")


# -- 积分导入 -------------------------------------------------------------------------------


class ImportForm(UploadForm):
    center = forms.ModelChoiceField(label="记分中心", queryset=None)
    field_order = ["center", "file"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers_for(user)
        self.fields["center"].empty_label = "请选择"
        self.fields["file"].help_text = "请上传从本页下载的模板填好的.xlsx文件，最大10MB。"


class ImportView(LedgerViewMixin, FormView):
    template_name = TEMPLATES + "import.html"
    form_class = ImportForm
    page_title = "积分导入"
    header_icon = "table"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        centers = centers_for(self.request.user)
        return {"center": centers.first()} if centers.count() == 1 else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, template_url=reverse("honors_ledger:template"))

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            summary = excel.import_points(
                upload, center=form.cleaned_data["center"], user=self.request.user
            )
        except ExcelImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, problems=error.problems, file_name=upload.name)
            )
        messages.success(self.request, f"导入成功（{upload.name}）：{summary}")
        return redirect("honors_ledger:entries")


def download_template(request):
    if not may_keep_points(request.user):
        return permission_denied(request)
    response = HttpResponse(
        excel.workbook_bytes(excel.template_workbook()), content_type=CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(True, "积分导入模板.xlsx")
    return response


urlpatterns = [
    path("", EntryListView.as_view(), name="entries"),
    path("participants/", ParticipantListView.as_view(), name="participants"),
    path(
        "participants/<int:participant_id>/",
        ParticipantEditView.as_view(),
        name="participant_edit",
    ),
    path("add/", EntryCreateView.as_view(), name="add"),
    path("<int:entry_id>/reverse/", ReverseView.as_view(), name="reverse"),
    path("import/", ImportView.as_view(), name="import"),
    path("import/template/", download_template, name="template"),
]


@hooks.register("register_admin_urls")
def register_ledger_urls():
    return [path("honors/points/", include((urlpatterns, app_name), namespace=app_name))]


class PointsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_keep_points(request.user)


@hooks.register(MENU_HOOK)
def register_entries_menu_item():
    return PointsMenuItem(
        "积分记录", reverse("honors_ledger:entries"), name="points-entries", icon_name="list-ul"
    )


@hooks.register(MENU_HOOK)
def register_participants_menu_item():
    return PointsMenuItem(
        "积分对象",
        reverse("honors_ledger:participants"),
        name="points-participants",
        icon_name="group",
        order=110,
    )


@hooks.register(MENU_HOOK)
def register_add_menu_item():
    return PointsMenuItem(
        "录入积分", reverse("honors_ledger:add"), name="points-add", icon_name="plus", order=120
    )


@hooks.register(MENU_HOOK)
def register_import_menu_item():
    return PointsMenuItem(
        "积分导入",
        reverse("honors_ledger:import"),
        name="points-import",
        icon_name="table",
        order=130,
    )


@hooks.register("register_admin_menu_item")
def register_points_menu():
    return SubmenuMenuItem(
        "积分", Menu(register_hook_name=MENU_HOOK), name="points", icon_name="pick", order=320
    )
