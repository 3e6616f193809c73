"""Who reads a post meant for a bloc's group: its groups where the bot can be, else each contact.

A bloc may have a group on Telegram, on Zalo, on both or on neither; a contact may be on either
platform. A group post goes to the bloc's linked groups on the platforms where the bot can be in
groups (only the bloc's own platform when its file names one), and, as a direct message, to every
contact on a platform where no such group carries it, so each reads it once where they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar


class OnPlatform(Protocol):
    @property
    def platform(self) -> str: ...


G = TypeVar("G", bound=OnPlatform)
P = TypeVar("P", bound=OnPlatform)


def group_post_readers(
    groups: Sequence[G],
    people: Sequence[P],
    *,
    groups_possible: Callable[[str], bool],
    group_platform: str | None = None,
) -> tuple[list[G], list[P]]:
    """The groups that carry a group post, and the people who get it directly instead."""
    carried = [
        group
        for group in groups
        if groups_possible(group.platform)
        and (group_platform is None or group.platform == group_platform)
    ]
    covered = {group.platform for group in carried}
    return carried, [person for person in people if person.platform not in covered]
