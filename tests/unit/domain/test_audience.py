"""Who reads a post meant for the bloc's group."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.audience import group_post_readers


@dataclass(frozen=True)
class Chat:
    platform: str
    chat_id: str


TG_GROUP, ZALO_GROUP = Chat("telegram", "-100"), Chat("zalo", "g1")
PEOPLE = [Chat("telegram", "lan"), Chat("zalo", "z-lan"), Chat("zalo", "z-minh")]


def anywhere(_platform: str) -> bool:
    return True


def test_each_platform_reads_its_own_group() -> None:
    groups, direct = group_post_readers([TG_GROUP, ZALO_GROUP], PEOPLE, groups_possible=anywhere)
    assert (groups, direct) == ([TG_GROUP, ZALO_GROUP], [])


def test_contacts_on_a_platform_without_a_group_get_it_directly() -> None:
    groups, direct = group_post_readers([TG_GROUP], PEOPLE, groups_possible=anywhere)
    assert (groups, direct) == ([TG_GROUP], PEOPLE[1:])


def test_without_any_group_everyone_gets_it_directly() -> None:
    assert group_post_readers([], PEOPLE, groups_possible=anywhere) == ([], PEOPLE)


def test_where_the_bot_cannot_be_in_groups_its_contacts_get_it_directly() -> None:
    groups, direct = group_post_readers(
        [TG_GROUP, ZALO_GROUP], PEOPLE, groups_possible=lambda platform: platform != "zalo"
    )
    assert (groups, direct) == ([TG_GROUP], PEOPLE[1:])


def test_a_bloc_that_names_its_group_platform_uses_only_that_group() -> None:
    groups, direct = group_post_readers(
        [TG_GROUP, ZALO_GROUP], PEOPLE, groups_possible=anywhere, group_platform="zalo"
    )
    assert (groups, direct) == ([ZALO_GROUP], PEOPLE[:1])
