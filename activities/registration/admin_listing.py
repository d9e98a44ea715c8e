"""A session's sign-ups as the organiser reads them: confirmed first, then the waitlist in
order (候补第N位), then the cancelled, each with its status in words."""

from dataclasses import dataclass

from activities.models import SignUp, SignUpStatus
from activities.registration.service import WAITLIST_ORDER
from jiamenkou.privacy import mask_personal_numbers

STATUS_ORDER = {SignUpStatus.CONFIRMED: 0, SignUpStatus.WAITLISTED: 1, SignUpStatus.CANCELLED: 2}


@dataclass(frozen=True)
class SignUpRow:
    sign_up: SignUp
    waitlist_position: int | None

    @property
    def masked_phone(self) -> str:
        return mask_personal_numbers(self.sign_up.phone)

    @property
    def status_label(self) -> str:
        if self.waitlist_position is not None:
            return f"候补第{self.waitlist_position}位"
        label = self.sign_up.get_status_display()
        if self.sign_up.promoted_at and self.sign_up.status == SignUpStatus.CONFIRMED:
            return f"{label}（候补转正）"
        return label


def sign_up_rows(occurrence) -> list[SignUpRow]:
    """All of the session's sign-ups in one query, in the organiser's order (the waitlist
    numbered as ``service.waitlist_position`` numbers it)."""
    sign_ups = sorted(
        SignUp.objects.filter(occurrence=occurrence).order_by(*WAITLIST_ORDER),
        key=lambda sign_up: STATUS_ORDER[sign_up.status],
    )
    rows, waiting = [], 0
    for sign_up in sign_ups:
        position = None
        if sign_up.status == SignUpStatus.WAITLISTED:
            waiting += 1
            position = waiting
        rows.append(SignUpRow(sign_up, position))
    return rows
