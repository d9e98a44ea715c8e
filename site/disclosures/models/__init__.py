from disclosures.models.cadence import CadenceFrequency, CadenceRule, ReminderSent
from disclosures.models.kinds import DisclosureKind, Period, PeriodKind
from disclosures.models.pages import DisclosureBoardPage, DisclosurePage, FinanceRow
from disclosures.models.review import (
    CommitteeMember,
    CommitteeRole,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewLink,
    SupervisionCommittee,
    SupervisionCommitteeTask,
)
from disclosures.models.versions import PublishedVersion

__all__ = [
    "CadenceFrequency",
    "CadenceRule",
    "CommitteeMember",
    "CommitteeRole",
    "DisclosureBoardPage",
    "DisclosureKind",
    "DisclosurePage",
    "FinanceRow",
    "Period",
    "PeriodKind",
    "PublishedVersion",
    "ReminderSent",
    "ReviewDecision",
    "ReviewDecisionKind",
    "ReviewLink",
    "SupervisionCommittee",
    "SupervisionCommitteeTask",
]
