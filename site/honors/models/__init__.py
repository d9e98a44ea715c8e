from honors.models.boards import Award, HonorBoardPage, HonorEntry, RecipientKind
from honors.models.ledger import (
    LookupChannel,
    LookupCode,
    Participant,
    ParticipantKind,
    PointsEntry,
    PointsSource,
    StarLevel,
)

__all__ = [
    "Award",
    "HonorBoardPage",
    "HonorEntry",
    "LookupChannel",
    "LookupCode",
    "Participant",
    "ParticipantKind",
    "PointsEntry",
    "PointsSource",
    "RecipientKind",
    "StarLevel",
]
