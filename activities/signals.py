"""Signals other parts of the site listen to, sent by the activities app."""

from django.dispatch import Signal

#: Sent by ``activities.registration.service.attendance`` when an organiser saves the
#: 签到 (attendance) list of a session, inside the same database transaction, so a
#: receiver's writes are saved or rolled back with the attendance itself.
#:
#: Arguments: ``sender`` is the ``Occurrence`` class; ``occurrence`` the session;
#: ``sign_ups`` the list of its ``SignUp`` rows marked as attended after this save (the
#: whole list, not only the changes: an organiser may save the list several times and
#: untick someone). The points ledger behind the honour boards (积分榜) listens here: it
#: should award points per sign-up idempotently (one entry per sign-up, withdrawn when the
#: sign-up is no longer in the list) rather than add points on every signal.
attendance_recorded = Signal()
