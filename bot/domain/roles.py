"""Who a contact is in a bloc: the head (Trưởng khối), a deputy (Phó khối) or a member."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A contact's part in a bloc, from their agency's part in the current season."""

    HEAD = "head"  # Trưởng khối
    DEPUTY = "deputy"  # Phó khối
    MEMBER = "member"


@dataclass(frozen=True)
class Link:
    """A contact's link to one agency of one bloc (cán bộ đầu mối)."""

    bloc_id: int
    bloc_code: str
    bloc_name: str
    bloc_locale: str
    bloc_timezone: str
    agency_id: int
    agency_code: str
    agency_name: str
    role: Role
