"""Rooms of a center, the activities held in them, their dated occurrences and sign-ups.

An ``Activity`` carries its schedule as RFC 5545 parts (``dtstart``, ``freq``, ``byday`` …)
and its exceptions (cancel or move one occurrence). ``activities.scheduling`` expands it
into ``Occurrence`` rows, the one place where room clashes are refused; pages, feeds, the
API, sign-ups and room utilisation all read occurrences.
"""

from activities.models.activities import (
    Activity,
    ActivityCost,
    ActivityException,
    ActivityKind,
    ExceptionAction,
    Frequency,
)
from activities.models.kiosks import Kiosk, KioskSlide, Orientation, SlideKind
from activities.models.occurrences import Occurrence, OccurrenceQuerySet, OccurrenceStatus
from activities.models.pages import ProgrammeSheetPage
from activities.models.rooms import Room
from activities.models.signups import SignUp, SignUpStatus

__all__ = [
    "Activity",
    "ActivityCost",
    "ActivityException",
    "ActivityKind",
    "ExceptionAction",
    "Frequency",
    "Kiosk",
    "KioskSlide",
    "Occurrence",
    "OccurrenceQuerySet",
    "OccurrenceStatus",
    "Orientation",
    "ProgrammeSheetPage",
    "Room",
    "SignUp",
    "SignUpStatus",
    "SlideKind",
]
