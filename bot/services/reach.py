"""Where the bot can be in groups, as each running channel found out at start-up."""

from __future__ import annotations


class Reach:
    """Platforms whose bot cannot be in groups (Zalo's ``can_join_groups``): posts meant for a
    group go to each contact there instead. Until a channel says otherwise, groups are fine."""

    def __init__(self) -> None:
        self._no_groups: set[str] = set()

    def groups(self, platform: str, possible: bool) -> None:
        """Record whether the bot of ``platform`` can be in groups."""
        if possible:
            self._no_groups.discard(platform)
        else:
            self._no_groups.add(platform)

    def groups_possible(self, platform: str) -> bool:
        return platform not in self._no_groups
