"""The bloc file: the sample reads fully; every problem is reported, all at once, at its path."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.blocfile import (
    BlocFileError,
    BlocSpec,
    EventKind,
    Problem,
    load_bloc_file,
    parse_bloc,
    read_yaml,
)
from bot.domain.calendar import QuietTime
from bot.domain.criteria import CriterionKind, GroupKind
from bot.domain.rules import Award, TieBreak, TieBreakKind
from bot.domain.year import PictureKind, SeasonRules
from bot.i18n import use_locale
from tests.unit.blocfile_cases import SAMPLE, broken_variants, dump, sample_data

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
Data = dict[str, Any]


def problems(text: str) -> list[Problem]:
    with pytest.raises(BlocFileError) as error:
        parse_bloc(text)
    return list(error.value.problems)


def problems_after(change: Callable[[Data], object]) -> dict[str, str]:
    """Path -> message of every problem in the sample after ``change``."""
    data = sample_data()
    change(data)
    return {problem.path: problem.message for problem in problems(dump(data))}


def read_after(change: Callable[[Data], object]) -> BlocSpec:
    data = sample_data()
    change(data)
    return parse_bloc(dump(data))


def item(data: Data, group: int, index: int) -> Data:
    criterion: Data = data["season"]["criteria"][group]["items"][index]
    return criterion


# -- the sample


def test_sample_reads_fully() -> None:
    bloc = load_bloc_file(SAMPLE)

    assert (bloc.code, bloc.timezone, bloc.locale) == ("tw-thaibinh", "Asia/Ho_Chi_Minh", "vi")
    assert bloc.name.endswith("tỉnh Thái Bình")
    assert [agency.code for agency in bloc.agencies] == [
        "thongke", "khobac", "thue", "dutru", "nhnn", "bhxh", "haiquan", "qltt"
    ]  # fmt: skip
    season = bloc.season
    assert (season.year, season.head, season.deputies) == (2021, "nhnn", ("thongke",))


def test_sample_scoring_table() -> None:
    table = load_bloc_file(SAMPLE).season.table

    assert [group.code for group in table.groups] == [
        "I", "II", "III", "IV", "V", "VI", "VII", "B", "D"
    ]  # fmt: skip
    assert len(list(table.criteria())) == 17
    assert table.step == Decimal("0.5")
    assert table.base_max() == 100
    bonus = table.group("B")
    assert bonus is not None and bonus.kind is GroupKind.BONUS and bonus.cap == 5
    assert {c.kind for c in bonus.items} == {CriterionKind.BONUS}
    deduction = table.group("D")
    assert deduction is not None and deduction.kind is GroupKind.DEDUCTION
    assert deduction.cap is None and {c.kind for c in deduction.items} == {CriterionKind.DEDUCTION}
    yesno = table.find("IV.1")
    assert yesno is not None and yesno.is_yesno and yesno.max == 5
    first = table.find("I.1")
    assert first is not None and first.max == Decimal(25)
    assert first.title == "Hoàn thành các chỉ tiêu, nhiệm vụ chuyên môn năm"


def test_sample_rules_and_events() -> None:
    season = load_bloc_file(SAMPLE).season

    assert season.tie_break == (
        TieBreak(TieBreakKind.GROUP, "I"),
        TieBreak(TieBreakKind.DEDUCTIONS),
        TieBreak(TieBreakKind.SUBMITTED_AT),
    )
    assert season.awards == (
        Award("Cờ thi đua của UBND tỉnh", 1),
        Award("Bằng khen của Chủ tịch UBND tỉnh", 2),
    )
    deadline, signing, year_end = season.events
    assert (deadline.kind, deadline.code, deadline.closes_scoring) == (
        EventKind.DEADLINE, "self-score", True
    )  # fmt: skip
    assert deadline.at == datetime(2021, 11, 20, 17, 0, tzinfo=HCM)
    assert deadline.at == datetime(2021, 11, 20, 10, 0, tzinfo=UTC)
    assert deadline.at.tzinfo == HCM
    assert deadline.remind == (
        timedelta(days=7), timedelta(days=3), timedelta(days=1), timedelta(hours=2)
    )  # fmt: skip
    assert [event.kind for event in (signing, year_end)] == [EventKind.MEETING] * 2
    assert (signing.code, signing.at) == ("ky-giao-uoc", datetime(2021, 3, 31, 14, tzinfo=HCM))
    assert (year_end.code, year_end.at) == ("tong-ket", datetime(2021, 12, 20, 14, tzinfo=HCM))
    assert year_end.place == "Hội trường Ngân hàng Nhà nước chi nhánh tỉnh Thái Bình"
    assert year_end.title == "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2021"
    assert not year_end.closes_scoring


def test_specs_are_frozen() -> None:
    bloc = load_bloc_file(SAMPLE)

    with pytest.raises(dataclasses.FrozenInstanceError):
        bloc.season.year = 2022  # type: ignore[misc]


# -- the broken variants the storage tests use


@pytest.mark.parametrize("name", sorted(broken_variants()))
def test_broken_variant_has_one_problem_at_its_path(name: str) -> None:
    text, path = broken_variants()[name]

    assert [problem.path for problem in problems(text)] == [path]


def test_unknown_head_names_the_known_agencies() -> None:
    found = problems_after(lambda data: data["season"].update(head="khongco"))

    assert found == {
        "season.head": "unknown agency “khongco”; known: "
        "thongke, khobac, thue, dutru, nhnn, bhxh, haiquan, qltt"
    }


def test_duplicate_criterion_names_the_first() -> None:
    found = problems_after(lambda data: item(data, 1, 0).update(code="i.1"))

    assert found == {
        "season.criteria[1].items[0].code": "duplicate “i.1”; "
        "first at season.criteria[0].items[0].code"
    }


def test_negative_max() -> None:
    found = problems_after(lambda data: item(data, 0, 1).update(max=-5))

    assert found == {"season.criteria[0].items[1].max": "must be greater than 0"}


def test_bad_date_names_the_format() -> None:
    found = problems_after(
        lambda data: data["season"]["deadlines"][0].update(due="2025-13-40 17:00")
    )

    message = found["season.deadlines[0].due"]
    assert "“2025-13-40 17:00”" in message and "YYYY-MM-DD HH:MM" in message


def test_bonus_group_needs_a_cap() -> None:
    found = problems_after(lambda data: data["season"]["criteria"][7].pop("cap"))

    assert found == {"season.criteria[7].cap": "required for a bonus group"}


def test_unknown_key_names_the_accepted_ones() -> None:
    def typo(data: Data) -> None:
        data["season"]["scoring"]["tiebreak"] = data["season"]["scoring"].pop("tie_break")

    found = problems_after(typo)

    assert found == {"season.scoring.tiebreak": "unknown key; accepted: step, tie_break, awards"}


def test_every_problem_is_reported_at_once() -> None:
    def break_many(data: Data) -> None:
        data["bloc"]["code"] = "TW Thái Bình"
        data["agencies"][2]["code"] = "thongke"
        data["season"]["year"] = 1999
        data["season"]["head"] = "khongco"
        item(data, 0, 0)["max"] = 0
        item(data, 3, 0)["kind"] = "maybe"
        data["season"]["meetings"][1]["at"] = "20/12/2021 14:00"
        data["season"]["meetings"][1]["remind"] = ["1y"]

    found = problems_after(break_many)

    assert set(found) == {
        "bloc.code",
        "agencies[2].code",
        "season.year",
        "season.head",
        "season.criteria[0].items[0].max",
        "season.criteria[3].items[0].kind",
        "season.meetings[1].at",
        "season.meetings[1].remind[0]",
    }
    assert found["agencies[2].code"] == "duplicate “thongke”; first at agencies[0].code"
    assert found["season.year"] == "must be from 2000 to 2100"
    assert (
        found["season.criteria[3].items[0].kind"] == "unknown kind “maybe”; accepted: score, yesno"
    )


def test_problems_are_listed_in_the_order_of_the_file() -> None:
    def break_many(data: Data) -> None:
        data["season"]["meetings"][1]["at"] = "20/12/2021 14:00"
        data["season"]["head"] = "khongco"
        item(data, 0, 0)["max"] = 24.75
        item(data, 0, 1)["max"] = 0
        data["bloc"]["locale"] = "fr"
        data["agencies"][2]["code"] = "thongke"

    data = sample_data()
    break_many(data)

    assert [problem.path for problem in problems(dump(data))] == [
        "bloc.locale",
        "agencies[2].code",
        "season.head",
        "season.criteria[0].items[0].max",
        "season.criteria[0].items[1].max",
        "season.meetings[1].at",
    ]


def test_bad_yaml_names_line_and_column() -> None:
    (problem,) = problems("bloc:\n  code: tw\n  name: [Khối\nagencies: []\n")

    assert problem.path == ""
    assert problem.message.startswith("not valid YAML at line 4, column 9: ")
    assert str(problem) == problem.message


def test_key_given_twice_is_refused() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "  year: 2021\n", "  year: 2021\n  year: 2022\n"
    )

    (problem,) = problems(text)

    assert problem.message == "key “year” is given twice (line 20, column 3)"


def test_tie_break_naming_a_missing_group() -> None:
    found = problems_after(
        lambda data: data["season"]["scoring"].update(tie_break=["group:IX", "fewest", "group:ii"])
    )

    assert found == {
        "season.scoring.tie_break[0]": "unknown group “IX”; "
        "known: I, II, III, IV, V, VI, VII, B, D",
        "season.scoring.tie_break[1]": "unknown tie-break “fewest”; "
        "use group:<code>, deductions or submitted_at",
    }


def test_tie_break_group_takes_the_code_of_the_table() -> None:
    bloc = read_after(lambda data: data["season"]["scoring"].update(tie_break=["group: ii"]))

    assert bloc.season.tie_break == (TieBreak(TieBreakKind.GROUP, "II"),)


def test_max_must_be_a_multiple_of_the_step() -> None:
    found = problems_after(lambda data: item(data, 0, 0).update(max=24.75))

    assert found == {"season.criteria[0].items[0].max": "must be a multiple of the step 0.5"}


# -- numbers


def test_numbers_as_text_with_a_decimal_comma() -> None:
    def comma(data: Data) -> None:
        data["season"]["scoring"]["step"] = "0,25"
        item(data, 0, 0)["max"] = "24,75"
        data["season"]["criteria"][7]["cap"] = " 4.5 "

    table = read_after(comma).season.table

    assert table.step == Decimal("0.25")
    assert table.groups[0].items[0].max == Decimal("24.75")
    assert table.groups[7].cap == Decimal("4.5")


def test_yaml_floats_are_read_as_written() -> None:
    def tenths(data: Data) -> None:
        data["season"]["scoring"]["step"] = 0.1
        item(data, 0, 0)["max"] = 0.3  # 0.3 % 0.1 != 0 in float arithmetic

    table = read_after(tenths).season.table

    assert (table.step, table.groups[0].items[0].max) == (Decimal("0.1"), Decimal("0.3"))


def test_step_default_and_limits() -> None:
    bloc = read_after(lambda data: data["season"].pop("scoring"))
    assert bloc.season.table.step == Decimal("0.5")
    assert bloc.season.tie_break == () and bloc.season.awards == ()

    assert problems_after(lambda data: data["season"]["scoring"].update(step="0.0005")) == {
        "season.scoring.step": "must have at most 3 decimal places"
    }
    assert problems_after(lambda data: data["season"]["scoring"].update(step=0)) == {
        "season.scoring.step": "must be greater than 0"
    }
    assert problems_after(lambda data: item(data, 0, 0).update(max="nhiều")) == {
        "season.criteria[0].items[0].max": "must be a number like 8 or 8,5"
    }
    assert problems_after(lambda data: item(data, 0, 0).update(max=True)) == {
        "season.criteria[0].items[0].max": "must be a number like 8 or 8,5"
    }


def test_award_count_at_least_one() -> None:
    found = problems_after(lambda data: data["season"]["scoring"]["awards"][1].update(count=0))

    assert found == {"season.scoring.awards[1].count": "must be at least 1"}


# -- groups and criteria


def test_cap_only_on_a_bonus_group() -> None:
    found = problems_after(lambda data: data["season"]["criteria"][8].update(cap=3))

    assert found == {"season.criteria[8].cap": "only a bonus group can have a cap"}


def test_criterion_kinds_follow_the_group() -> None:
    bloc = read_after(lambda data: item(data, 7, 0).update(kind="score"))
    bonus = bloc.season.table.find("B.1")
    assert bonus is not None and bonus.kind is CriterionKind.BONUS

    found = problems_after(lambda data: item(data, 8, 0).update(kind="score"))
    assert found == {
        "season.criteria[8].items[0].kind": "unknown kind “score”; accepted: deduction, yesno"
    }


def test_group_and_criterion_codes() -> None:
    def bad_codes(data: Data) -> None:
        data["season"]["criteria"][1]["code"] = "i"
        item(data, 0, 0)["code"] = "I 1"
        item(data, 0, 1)["code"] = "I.2-tham-muu-co-che"
        item(data, 0, 2)["title"] = "   "
        data["season"]["criteria"][2]["items"] = []

    found = problems_after(bad_codes)

    assert found == {
        "season.criteria[1].code": "duplicate “i”; first at season.criteria[0].code",
        "season.criteria[0].items[0].code": "must not contain spaces",
        "season.criteria[0].items[1].code": "must be at most 16 characters",
        "season.criteria[0].items[2].title": "required",
        "season.criteria[2].items": "must not be empty",
    }


def test_quoted_commas_in_a_one_line_mapping_stay_in_the_title() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert '{code: IV.2, title: "Công đoàn, đoàn thanh niên vững mạnh", max: 5}' in text

    table = parse_bloc(text).season.table

    found = table.find("IV.2")
    assert found is not None
    assert found == dataclasses.replace(
        found, title="Công đoàn, đoàn thanh niên vững mạnh", max=Decimal(5)
    )


def test_an_unquoted_comma_in_a_one_line_mapping_asks_for_quotes() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        'title: "Công đoàn, đoàn thanh niên vững mạnh"',
        "title: Công đoàn, đoàn thanh niên vững mạnh",
    )
    text = text.replace(
        "{code: D.1, title: Gửi báo cáo chậm so với quy định, max: 2}",
        "{code: D.1, title: Gửi báo cáo chậm, muộn, sai, max: 2}",
    )
    text = text.replace(
        "{code: haiquan, name: Chi cục Hải quan Thái Bình}",
        "{code: haiquan, name: Chi cục Hải quan, Thái Bình}",
    )

    found = {problem.path: problem.message for problem in problems(text)}

    assert found == {
        "agencies[6].name": "contains a comma; put the whole text in quotes, "
        'like name: "Chi cục Hải quan, Thái Bình"',
        "season.criteria[3].items[1].title": "contains a comma; put the whole text in quotes, "
        'like title: "Công đoàn, đoàn thanh niên vững mạnh"',
        "season.criteria[8].items[0].title": "contains a comma; put the whole text in quotes, "
        'like title: "Gửi báo cáo chậm, muộn, sai"',
    }


def test_the_quotes_asked_for_read_back_as_the_text() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "{code: haiquan, name: Chi cục Hải quan Thái Bình}",
        '{code: haiquan, name: Chi cục "Hải quan", Thái Bình}',
    )

    (problem,) = problems(text)
    quoted = problem.message.partition("like name: ")[2]

    assert quoted == '"Chi cục \\"Hải quan\\", Thái Bình"'
    assert read_yaml(f"name: {quoted}") == {"name": 'Chi cục "Hải quan", Thái Bình'}


def test_a_comma_after_a_quoted_text_is_an_unknown_key() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "{code: haiquan, name: Chi cục Hải quan Thái Bình}",
        '{code: haiquan, name: "Chi cục Hải quan", Thái Bình}',
    )

    (problem,) = problems(text)

    assert problem.path == "agencies[6].Thái Bình"
    assert problem.message == "unknown key; accepted: code, name"


def test_a_stray_key_in_block_style_is_still_an_error() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "  year: 2021\n", "  year: 2021\n  hạn chót:\n"
    )

    (problem,) = problems(text)

    assert problem.path == "season.hạn chót"
    assert problem.message.startswith("unknown key; accepted:")


# -- bloc and agencies


def test_bloc_defaults_come_from_the_caller() -> None:
    data = sample_data()
    del data["bloc"]["timezone"], data["bloc"]["locale"]

    bloc = parse_bloc(dump(data), default_timezone="Asia/Bangkok", default_locale="en")

    assert (bloc.timezone, bloc.locale) == ("Asia/Bangkok", "en")
    assert bloc.season.events[0].at == datetime(2021, 11, 20, 17, tzinfo=ZoneInfo("Asia/Bangkok"))


def test_bloc_header_problems() -> None:
    found = problems_after(
        lambda data: data["bloc"].update(
            code="x" * 65, name=" ", timezone="Asia/Hanoi City", locale="fr"
        )
    )

    assert found == {
        "bloc.code": "must be at most 64 characters",
        "bloc.name": "required",
        "bloc.timezone": "unknown timezone “Asia/Hanoi City”; "
        "use an IANA name like Asia/Ho_Chi_Minh",
        "bloc.locale": "unknown locale “fr”; accepted: vi, en",
    }


def test_strings_are_stripped() -> None:
    bloc = read_after(lambda data: data["bloc"].update(name="  Khối thi đua  "))

    assert bloc.name == "Khối thi đua"


def test_agency_problems() -> None:
    def bad_agencies(data: Data) -> None:
        data["agencies"][0]["code"] = "Thống kê"
        data["agencies"][1] = {"code": "khobac"}
        data["agencies"][2] = "thue"

    found = problems_after(bad_agencies)

    assert found == {
        "agencies[0].code": "must use only a-z, 0-9 and '-'",
        "agencies[1].name": "required",
        "agencies[2]": "must be a mapping with keys: code, name",
        # a wrong code is not an agency: references to it fail too, and it is not listed
        "season.deputies[0]": "unknown agency “thongke”; known: khobac, dutru, nhnn, bhxh, "
        "haiquan, qltt",
    }


def test_at_most_fifty_agencies() -> None:
    many = [{"code": f"a{n}", "name": f"Cơ quan {n}"} for n in range(51)]

    found = problems_after(lambda data: data.update(agencies=[*data["agencies"], *many]))

    assert found == {"agencies": "must have at most 50 entries"}


def test_deputies() -> None:
    found = problems_after(
        lambda data: data["season"].update(deputies=["thue", "nhnn", "thue", "kbnn"])
    )

    assert set(found) == {"season.deputies[1]", "season.deputies[2]", "season.deputies[3]"}
    assert found["season.deputies[1]"] == "is the head; a deputy must be another agency"
    assert found["season.deputies[2]"] == "duplicate “thue”; first at season.deputies[0]"
    assert found["season.deputies[3]"].startswith("unknown agency “kbnn”; known: thongke,")


def test_top_level_sections_are_required() -> None:
    found = {problem.path: problem.message for problem in problems("")}

    assert found == {"bloc": "required", "agencies": "required", "season": "required"}
    assert [str(p) for p in problems("- a\n- b\n")] == [
        "must be a mapping with keys: bloc, agencies, season"
    ]


# -- deadlines and meetings


def test_a_bare_date_is_not_enough() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace('due: "2021-11-20 17:00"', "due: 2021-11-20")

    (problem,) = problems(text)

    assert problem.path == "season.deadlines[0].due"
    assert problem.message == (
        "“2021-11-20” is not a date and time; use YYYY-MM-DD HH:MM, like 2025-11-20 17:00"
    )


def test_yaml_timestamps_are_read_in_the_bloc_zone() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace('due: "2021-11-20 17:00"', "due: 2021-11-20 17:00:00")
    text = text.replace('at: "2021-12-20 14:00"', "at: 2021-12-20T07:00:00Z")

    events = {event.code: event.at for event in parse_bloc(text).season.events}

    assert events["self-score"] == datetime(2021, 11, 20, 17, tzinfo=HCM)
    assert events["tong-ket"] == datetime(2021, 12, 20, 14, tzinfo=HCM)
    assert events["tong-ket"].tzinfo == HCM


def test_reminders() -> None:
    def remind(data: Data) -> None:
        del data["season"]["deadlines"][0]["remind"]
        data["season"]["meetings"][0]["remind"] = ["2d", "90m", " 2H "]

    events = read_after(remind).season.events
    assert events[0].remind == (
        timedelta(days=7), timedelta(days=3), timedelta(days=1), timedelta(hours=2)
    )  # fmt: skip
    assert events[1].remind == (timedelta(days=2), timedelta(minutes=90), timedelta(hours=2))

    found = problems_after(
        lambda data: data["season"]["meetings"][0].update(
            remind=["1d", "24h", "0m", "-2h", 3, "400d"]
        )
    )
    assert found == {
        "season.meetings[0].remind[1]": "duplicate “24h”; first at season.meetings[0].remind[0]",
        "season.meetings[0].remind[2]": "must be greater than 0",
        "season.meetings[0].remind[3]": "“-2h” is not an offset; "
        "use a number and d, h or m, like 7d, 2h or 30m",
        "season.meetings[0].remind[4]": "“3” is not an offset; "
        "use a number and d, h or m, like 7d, 2h or 30m",
        "season.meetings[0].remind[5]": "must be at most 366 days",
    }


def test_reminders_in_vietnamese() -> None:
    def remind(data: Data) -> None:
        data["season"]["meetings"][0]["remind"] = ["3 ngày", "1 ngay", "2 giờ", "30 phút"]

    events = read_after(remind).season.events

    assert events[1].remind == (
        timedelta(days=3), timedelta(days=1), timedelta(hours=2), timedelta(minutes=30)
    )  # fmt: skip


# -- the bloc's settings: short name, quiet time


def test_settings_default_to_the_name_and_the_quiet_night() -> None:
    bloc = read_after(lambda data: data["bloc"].pop("short_name"))

    assert bloc.short_name == "" and bloc.called == bloc.name
    assert bloc.quiet == QuietTime()  # 21:00-07:00, weekends and holidays not quiet
    assert bloc.settings() == {
        "short_name": None,
        "quiet_hours": "21:00-07:00",
        "quiet_days": [],
        "holidays": [],
        "group_platform": None,
    }


def test_the_group_platform_is_named_or_refused() -> None:
    bloc = read_after(lambda data: data["bloc"].update(group="Zalo"))
    assert bloc.group_platform == "zalo" and bloc.settings()["group_platform"] == "zalo"

    problems = problems_after(lambda data: data["bloc"].update(group="viber"))
    assert problems == {"bloc.group": "unknown platform “viber”; accepted: telegram, zalo"}


def test_short_name_quiet_hours_days_and_holidays() -> None:
    def settings(data: Data) -> None:
        data["bloc"].update(
            short_name=" Khối TW Thái Bình ",
            quiet_hours="22:00-06:30",
            quiet_days=["sat", "Sunday"],
            holidays=["2025-09-02", date(2026, 1, 1), "2026-02-16..2026-02-18"],
        )

    bloc = read_after(settings)

    assert bloc.short_name == "Khối TW Thái Bình" and bloc.called == "Khối TW Thái Bình"
    assert bloc.quiet.hours == "22:00-06:30" and bloc.quiet.day_names == ["sat", "sun"]
    assert bloc.settings()["holidays"] == [
        "2025-09-02", "2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18"
    ]  # fmt: skip


def test_quiet_hours_can_be_turned_off() -> None:
    bloc = read_after(lambda data: data["bloc"].update(quiet_hours=False))

    assert bloc.quiet.hours == "" and not bloc.quiet.is_quiet(datetime(2025, 1, 1, 23, 0))


def test_settings_problems() -> None:
    found = problems_after(
        lambda data: data["bloc"].update(
            short_name="x" * 61,
            quiet_hours="21h-7h",
            quiet_days=["sat", "cn"],
            holidays=["02/09/2025", "2026-02-18..2026-02-16"],
        )
    )

    assert found == {
        "bloc.short_name": "must be at most 60 characters",
        "bloc.quiet_hours": "“21h-7h” is not a time span; use HH:MM-HH:MM like “21:00-07:00”, "
        "or false for none",
        "bloc.quiet_days[1]": "unknown day “cn”; accepted: mon, tue, wed, thu, fri, sat, sun",
        "bloc.holidays[0]": "“02/09/2025” is not a date; use YYYY-MM-DD like 2025-09-02, or a "
        "range like 2026-02-14..2026-02-22",
        "bloc.holidays[1]": "the range ends before it starts",
    }
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    found = problems_after(lambda data: data["bloc"].update(quiet_days=every_day))
    assert found == {"bloc.quiet_days": "leaves no day to send on"}


def test_settings_problems_in_vietnamese() -> None:
    data = sample_data()
    data["bloc"].update(quiet_hours="9 giờ tối", holidays=["2/9"])
    with use_locale("vi"):
        found = {problem.path: problem.message for problem in problems(dump(data))}

    assert found["bloc.quiet_hours"].startswith("“9 giờ tối” không phải khoảng giờ")
    assert found["bloc.holidays[0]"].startswith("“2/9” không phải ngày")


def test_one_deadline_closes_scoring() -> None:
    def second_deadline(data: Data) -> None:
        data["season"]["deadlines"].append(
            {
                "code": "so-ket",
                "title": "Sơ kết",
                "due": "2021-06-30 17:00",
                "closes_scoring": True,
            }
        )

    found = problems_after(second_deadline)

    assert found == {
        "season.deadlines[1].closes_scoring": "only one deadline may close scoring; "
        "season.deadlines[0].closes_scoring already does"
    }


def test_event_codes_are_unique_across_deadlines_and_meetings() -> None:
    def reuse(data: Data) -> None:
        data["season"]["meetings"][1]["code"] = "self-score"
        data["season"]["meetings"][0]["closes_scoring"] = True

    found = problems_after(reuse)

    assert found == {
        "season.meetings[0].closes_scoring": "unknown key; "
        "accepted: code, title, at, place, remind",
        "season.meetings[1].code": "duplicate “self-score”; first at season.deadlines[0].code",
    }


# -- pictures


def pictures_after(value: object) -> tuple[PictureKind, ...]:
    return read_after(lambda data: data["season"].update(pictures=value)).season.rules.pictures


def test_pictures_are_none_unless_the_file_asks() -> None:
    assert load_bloc_file(SAMPLE).season.rules.pictures == ()
    assert pictures_after(False) == pictures_after(None) == pictures_after([]) == ()
    assert pictures_after(True) == (
        PictureKind.STANDINGS,
        PictureKind.RESULTS,
        PictureKind.PROGRESS,
    )
    assert pictures_after(["progress", "Results", "results"]) == (
        PictureKind.RESULTS, PictureKind.PROGRESS
    )  # fmt: skip


def test_pictures_are_kept_with_the_season_rules() -> None:
    rules = SeasonRules(pictures=(PictureKind.STANDINGS, PictureKind.RESULTS))

    assert SeasonRules.from_json(rules.as_json()) == rules
    assert SeasonRules.from_json({"pictures": ["results", "movie"]}).pictures == (
        PictureKind.RESULTS,
    )  # a word of a later version names no picture here
    assert SeasonRules.from_json({"review": "head"}).pictures == ()  # an older season's row


def test_bad_pictures_say_what_is_accepted() -> None:
    def pictures(value: object) -> dict[str, str]:
        return problems_after(lambda data: data["season"].update(pictures=value))

    accepted = "standings, results, progress"
    whole = {"season.pictures": f"must be true, false or a list of some of: {accepted}"}
    assert pictures("results") == pictures(1) == pictures({"results": True}) == whole
    assert pictures(["results", "chart"]) == {
        "season.pictures[1]": f"unknown picture “chart”; accepted: {accepted}"
    }


# -- files


def test_file_problems_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("bloc: {name: Khối}".encode("utf-16"))

    for path, message in ((missing, "file not found"), (utf16, "not UTF-8 text (byte 0)")):
        with pytest.raises(BlocFileError) as error:
            load_bloc_file(path)
        (problem,) = error.value.problems
        assert problem.path == str(path) and problem.message.startswith(message)


def test_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())

    assert load_bloc_file(path).code == "tw-thaibinh"


def test_error_text_is_one_problem_per_line() -> None:
    error = BlocFileError([Problem("season.head", "required"), Problem("bloc.code", "required")])

    assert str(error) == "season.head: required\nbloc.code: required"
