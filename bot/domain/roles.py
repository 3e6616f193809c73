"""Who a contact is in a bloc: the head (Trưởng khối), a deputy (Phó khối) or a member."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A contact's part in a bloc, from their agency's part in the current season."""

    HEAD = "head"  # Trưởng khối
    DEPUTY = "deputy"  # Phó khối
    MEMBER = "member"
