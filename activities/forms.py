"""The activity form of the admin: the schedule with plain controls, each editor's centers.

Editors never type RRULE parts. 重复 (单次/每天/每周/每月) picks the frequency; weekly
activities tick weekdays (stored in ``byday`` as ``TU,TH``); monthly ones pick either
第几个周几 (``2SA``, ``-1FR``, ``1FR,3FR``) or the day of the month (``bymonthday``). Before anything is
saved the form asks ``activities.scheduling.check_schedule`` what saving would do, so a
room clash or an exception on a date the rule does not give is an error here, with
everything typed kept.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from activities.models import Frequency, Room
from activities.scheduling import RoomClash, check_schedule, clash_message
from catalog.forms import live_forms
from district.permissions import editable_center_ids, is_district_editor

WEEKDAY_CHOICES = [
    ("MO", "周一"),
    ("TU", "周二"),
    ("WE", "周三"),
    ("TH", "周四"),
    ("FR", "周五"),
    ("SA", "周六"),
    ("SU", "周日"),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAY_CHOICES]
ORDINAL_CHOICES = [
    ("1", "第一个"),
    ("2", "第二个"),
    ("3", "第三个"),
    ("4", "第四个"),
    ("-1", "最后一个"),
]
BY_WEEKDAY = "weekday"
BY_MONTHDAY = "monthday"
MONTHLY_BY_CHOICES = [
    (BY_WEEKDAY, "按第几个星期几（如每月第二个周六）"),
    (BY_MONTHDAY, "按日期（如每月10号）"),
]
STRAY_SUMMARY = "有调整填写的“原定日期”那天没有本活动的场次，请看下方“调整”中标出的行。"


def editor_centers(user) -> tuple[bool, frozenset[int]]:
    """(is a district editor, the centers ``user`` may edit), worked out once per request:
    the admin asks for every row of a list (kept on the request's user object)."""
    known = getattr(user, "_activity_editor_centers", None)
    if known is None:
        known = (is_district_editor(user), frozenset(editable_center_ids(user)))
        user._activity_editor_centers = known
    return known


def may_manage_center(user, center_id) -> bool:
    is_district, center_ids = editor_centers(user)
    return is_district or center_id in center_ids


def split_byday(byday: str) -> list[tuple[str, str]]:
    """``"2SA"`` → ``[("2", "SA")]``; ``"TU,TH"`` → ``[("", "TU"), ("", "TH")]``."""
    parts = []
    for token in filter(None, (part.strip().upper() for part in (byday or "").split(","))):
        parts.append((token[:-2], token[-2:]))
    return parts


class ActivityExceptionForm(WagtailAdminModelForm):
    """One row of 调整: its 改到功能室 offers the rooms the activity's form offers
    (the base form of ``activities.admin.activities.ExceptionsPanel``)."""

    def __init__(self, *args, rooms=None, room_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None and "new_room" in self.fields:
            self.fields["new_room"].queryset = rooms
            self.fields["new_room"].label_from_instance = room_label


class ActivityAdminForm(WagtailAdminModelForm):
    weekdays = forms.MultipleChoiceField(
        label="每周哪几天",
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    monthly_by = forms.ChoiceField(
        label="每月按",
        choices=MONTHLY_BY_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        initial=BY_WEEKDAY,
    )
    month_ordinals = forms.MultipleChoiceField(
        label="第几个",
        choices=ORDINAL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="可多选，如第一个和第三个",
    )
    month_weekday = forms.ChoiceField(label="星期几", choices=WEEKDAY_CHOICES, required=False)

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self._initial_schedule_controls()
        if for_user is not None:
            self._limit_choices_to_own_centers(for_user)

    # -- choices ----------------------------------------------------------------------------

    def _limit_choices_to_own_centers(self, user):
        centers = self.fields["center"].queryset
        is_district, center_ids = editor_centers(user)
        if not is_district:
            centers = centers.filter(id__in=center_ids)
        centers = centers.order_by("code")
        self.fields["center"].queryset = centers
        center_ids = list(centers.values_list("id", flat=True))
        if len(center_ids) == 1 and not self.instance.center_id:
            self.initial["center"] = center_ids[0]
        chosen = self._chosen_center_id(center_ids)
        room_centers = [chosen] if chosen else center_ids
        rooms = (
            Room.objects.filter(center_id__in=room_centers)
            .select_related("center")
            .order_by("center__code", "sort_order", "name")
        )
        label = room_with_center if len(room_centers) > 1 else room_label
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = label
        formset = self.formsets.get("exceptions")
        if formset is not None:
            # Read by every row, the blank one the 增加 button copies included.
            formset.form_kwargs.update(rooms=rooms, room_label=label)

    def _chosen_center_id(self, center_ids) -> int | None:
        """The center whose rooms are offered: the one posted, else the activity's, else
        the editor's only one (None: the editor's several centers, rooms labelled)."""
        if self.is_bound:
            try:
                posted = int(self.data.get(self.add_prefix("center")) or 0)
            except (TypeError, ValueError):
                posted = 0
            if posted in center_ids:
                return posted
        if self.instance.center_id:
            return self.instance.center_id
        return center_ids[0] if len(center_ids) == 1 else None

    # -- the schedule's plain controls ------------------------------------------------------

    def _initial_schedule_controls(self):
        activity = self.instance
        parts = split_byday(activity.byday)
        if activity.freq == Frequency.WEEKLY:
            self.initial.setdefault("weekdays", [code for _n, code in parts])
        elif activity.freq == Frequency.MONTHLY:
            if activity.bymonthday and not parts:
                self.initial.setdefault("monthly_by", BY_MONTHDAY)
            elif parts:
                weekday = parts[0][1]
                self.initial.setdefault("monthly_by", BY_WEEKDAY)
                self.initial.setdefault(
                    "month_ordinals", [n or "1" for n, code in parts if code == weekday]
                )
                self.initial.setdefault("month_weekday", weekday)

    def clean(self):
        cleaned_data = super().clean()
        freq = cleaned_data.get("freq") or Frequency.ONCE
        byday, bymonthday = "", ""
        if freq == Frequency.WEEKLY:
            days = cleaned_data.get("weekdays") or []
            if not days:
                self.add_error("weekdays", "每周重复请勾选星期几。")
            byday = ",".join(code for code in WEEKDAY_CODES if code in days)
        elif freq == Frequency.MONTHLY:
            if cleaned_data.get("monthly_by") == BY_MONTHDAY:
                bymonthday = (cleaned_data.get("bymonthday") or "").replace("，", ",").strip()
                if not bymonthday:
                    self.add_error("bymonthday", "请填写每月几号，如 10 或 1,15。")
            else:
                ordinals = cleaned_data.get("month_ordinals") or []
                weekday = cleaned_data.get("month_weekday")
                if not ordinals or not weekday:
                    self.add_error("month_ordinals", "请选择每月第几个星期几。")
                else:
                    byday = ",".join(
                        f"{n}{weekday}" for n, _label in ORDINAL_CHOICES if n in ordinals
                    )
        if freq == Frequency.ONCE:
            # A single session: what the repeat controls still hold means nothing.
            cleaned_data.update(interval=1, until=None, count=None)
            cleaned_data.update(skip_holidays=False, runs_on_makeup_workdays=False)
        cleaned_data["bymonthday"] = bymonthday
        # Not a form field: set on the instance, which construct_instance leaves alone.
        self.instance.byday = byday
        return cleaned_data

    def _update_errors(self, errors):
        """The model names ``byday``; the editor sees the weekday controls."""
        if hasattr(errors, "error_dict"):
            control = "weekdays" if self.data.get("freq") == Frequency.WEEKLY else "month_weekday"
            remapped = {}
            for field, messages in errors.error_dict.items():
                if field == "byday":
                    field = control
                elif field != NON_FIELD_ERRORS and field not in self.fields:
                    field = NON_FIELD_ERRORS
                remapped.setdefault(field, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)

    # -- what saving would do ---------------------------------------------------------------

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        formset = self.formsets.get("exceptions")
        if formset is not None and not formset.is_valid():
            return
        exception_forms = live_forms(formset) if formset is not None else []
        exceptions = [form.instance for form in exception_forms]
        plan, clashes, _warnings = check_schedule(self.instance, exceptions=exceptions)
        form_of = {id(form.instance): form for form in exception_forms}
        for exception, message in plan.stray_exceptions:
            form_of[id(exception)].add_error("occurrence_date", message)
        if plan.stray_exceptions:
            self.add_error(None, STRAY_SUMMARY)
        if clashes:
            self.add_error(None, ValidationError(clash_message(clashes), code="room_clash"))

    def save(self, commit=True):
        """Saves and schedules; a room clash found only now (another editor booked the
        room a moment ago) becomes the form's error, nothing saved, the typed form kept."""
        adding = self.instance._state.adding
        formset = self.formsets.get("exceptions")
        new_exceptions = [
            form.instance for form in (formset.forms if formset else []) if form.instance.pk is None
        ]
        try:
            return super().save(commit=commit)
        except RoomClash as clash:
            # The save was rolled back, but the objects kept the ids it gave them.
            if adding:
                self.instance.pk = None
                self.instance._state.adding = True
            for exception in new_exceptions:
                exception.pk = None
                exception._state.adding = True
            self.add_error(None, clash)
            raise


def room_label(room) -> str:
    return room.label


def room_with_center(room) -> str:
    return f"{room.center.title} · {room_label(room)}"
