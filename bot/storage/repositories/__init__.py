"""Repositories: the queries the services need, one module per aggregate."""

from bot.storage.repositories.audit import AuditRepository
from bot.storage.repositories.ballots import BallotRepository
from bot.storage.repositories.blocs import (
    BlocRepository,
    BlocSummary,
    InviteRepository,
    SeasonRepository,
)
from bot.storage.repositories.conversations import ConversationRepository
from bot.storage.repositories.evidence import EvidenceRepository
from bot.storage.repositories.inbox import InboxEntry, InboxRepository
from bot.storage.repositories.menus import MenuRepository
from bot.storage.repositories.outbox import NewMessage, OutboxRepository
from bot.storage.repositories.people import (
    ContactRepository,
    EnrolmentFailureRepository,
    GroupLinkRepository,
)
from bot.storage.repositories.schedule import ScheduleRepository
from bot.storage.repositories.sheets import SheetRepository
from bot.storage.repositories.stats import StatsRepository
from bot.storage.repositories.tracking import TrackingRepository

__all__ = [
    "AuditRepository",
    "BallotRepository",
    "BlocRepository",
    "BlocSummary",
    "ContactRepository",
    "ConversationRepository",
    "EnrolmentFailureRepository",
    "EvidenceRepository",
    "GroupLinkRepository",
    "InboxEntry",
    "InboxRepository",
    "InviteRepository",
    "MenuRepository",
    "NewMessage",
    "OutboxRepository",
    "ScheduleRepository",
    "SeasonRepository",
    "SheetRepository",
    "StatsRepository",
    "TrackingRepository",
]
