"""The command line as an operator uses it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import ROOT, SAMPLE
from tests.unit.blocfile_cases import broken_variants, dump, sample_data

README = ROOT / "README.md"


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BLOCBOT_LOCALE", "en")
    monkeypatch.delenv("BLOCBOT_TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("BLOCBOT_TELEGRAM_BOT_USERNAME", raising=False)
    return database_url


def test_import_twice_then_list(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    first = capsys.readouterr().out
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    second = capsys.readouterr().out
    assert main(["bloc", "list"]) == 0
    listing = capsys.readouterr().out

    assert "+ agency thongke" in first and "+ criterion IV.1" in first
    assert "no changes" in second
    assert "tw-thaibinh" in listing and "2021" in listing and "0/8" in listing


def test_broken_file_exits_with_paths(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, path = broken_variants()["negative_max"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")

    assert main(["bloc", "import", str(broken)]) == 1
    assert main(["bloc", "list"]) == 0

    output = capsys.readouterr()
    assert path in output.err and "nothing was imported" in output.err
    assert "No blocs yet" in output.out


def test_refusal_names_what_and_how_many(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    data = sample_data()
    data["season"]["criteria"][0]["items"][0]["max"] = 20
    changed = tmp_path / "changed.yaml"
    changed.write_text(dump(data), encoding="utf-8")
    assert main(["bloc", "import", str(changed)]) == 0  # nothing scored yet: allowed
    assert "Maximum: 25 → 20" in capsys.readouterr().out


def test_invites_table_with_deep_links(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_TELEGRAM_BOT_USERNAME", "blocbot_test_bot")
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    capsys.readouterr()

    assert main(["invites", "tw-thaibinh"]) == 0
    table = capsys.readouterr().out.splitlines()

    thue = next(line for line in table if line.startswith("thue "))
    code = thue.split()[1]
    assert f"https://t.me/blocbot_test_bot?start={code}" in thue
    assert "0/3" in thue
    assert sum("/linkgroup" in line for line in table) == 1


def test_invites_for_unknown_bloc(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invites", "nope"]) == 1
    assert "No bloc has the code nope" in capsys.readouterr().err


def test_python_dash_m_and_vietnamese_by_default(tmp_path: Path) -> None:
    env = {"BLOCBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bloc", "list"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Chưa có khối nào" in done.stdout  # Vietnamese by default


def readme_shows(command: str) -> list[str]:
    """The lines the README shows under ``$ command`` in a fenced block."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"```\n$ {command}\n") + len(command) + 7
    return text[start : text.index("```", start)].rstrip("\n").splitlines()


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[Any, str, str]:
    """main's exit status (SystemExit's too), its standard output and its error output."""
    try:
        code: Any = main(argv)
    except SystemExit as done:
        code = done.code
    out = capsys.readouterr()
    return code, out.out, out.err


# --- bad settings ---------------------------------------------------------------------------

BAD_SETTINGS = [
    ("BLOCBOT_DATABASE_URL", "mysql://x", "an SQLAlchemy async URL: sqlite+aiosqlite:///FILE.db"),
    ("BLOCBOT_DATABASE_URL", "not a url", "postgresql+asyncpg://USER@HOST:5432/DATABASE"),
    ("BLOCBOT_OUTBOX_RATE", "fast", "a number of messages per second, 0 or more (0: no limit)"),
    ("BLOCBOT_OUTBOX_RATE", "-1", "0 or more"),
    ("BLOCBOT_OUTBOX_CHAT_INTERVAL", "inf", "a number of seconds, 0 or more"),
    ("BLOCBOT_OUTBOX_GROUP_PER_MINUTE", "1.5", "a whole number of messages"),
    ("BLOCBOT_OUTBOX_CONCURRENCY", "0", "a whole number, 1 or more"),
    ("BLOCBOT_OUTBOX_LEASE", "0", "a number of seconds above 0"),
    ("BLOCBOT_TIMEZONE", "Hanoi", "a time zone name like Asia/Ho_Chi_Minh"),
    ("BLOCBOT_OPERATORS", "telegram123", "PLATFORM:ID like telegram:123,zalo:abc"),
    ("BLOCBOT_OPERATORS", "telegram:1,viber:2", "(telegram or zalo)"),
    ("BLOCBOT_TELEGRAM_POLLING", "maybe", "true or false"),
    ("BLOCBOT_TELEGRAM_BASE_URL", "api.telegram.org", "an http:// or https:// address"),
    ("BLOCBOT_TELEGRAM_BOT_USERNAME", "my bot", "a Telegram username of 5 to 32"),
    ("BLOCBOT_ZALO_BASE_URL", "bot-api.zaloplatforms.com", "an http:// or https:// address"),
    ("BLOCBOT_ZALO_OUTBOX_RATE", "-2", "a number of messages per second"),
    ("BLOCBOT_WEBHOOK_URL", "bot.example.vn", "the public https:// address of this server"),
    ("BLOCBOT_LISTEN", "localhost", "HOST:PORT to listen on"),
]


@pytest.mark.parametrize(("variable", "value", "accepted"), BAD_SETTINGS)
def test_a_bad_setting_says_its_name_value_and_what_is_accepted(
    cli_db: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    accepted: str,
) -> None:
    monkeypatch.setenv(variable, value)

    code, out, err = run_main(["bloc", "list"], capsys)

    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"{variable}: “{value}” is not accepted; use ")
    assert accepted in line and line.endswith(".")


def test_a_webhook_without_its_secret_is_refused_and_a_short_secret_is_not_shown(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_WEBHOOK_URL", "https://bot.example.vn")

    code, _out, err = run_main(["bloc", "list"], capsys)

    assert (code, err) == (
        2,
        "BLOCBOT_WEBHOOK_SECRET is not set, and the other settings need it: use 8 to 256 "
        "letters, digits, _ or -.\n",
    )
    monkeypatch.setenv("BLOCBOT_WEBHOOK_SECRET", "short")
    code, _out, err = run_main(["bloc", "list"], capsys)
    assert code == 2 and "short" not in err
    assert err.startswith("BLOCBOT_WEBHOOK_SECRET: the value is not accepted (not shown")


def test_bad_settings_lines_exactly(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_OUTBOX_RATE", "fast")
    monkeypatch.setenv("BLOCBOT_TIMEZONE", "Hanoi")
    monkeypatch.setenv("BLOCBOT_TELEGRAM_TOKEN", "my-secret-token")

    code, _out, err = run_main(["bloc", "list"], capsys)

    assert code == 2
    assert err.splitlines() == [  # in the order of the README's table
        "BLOCBOT_TELEGRAM_TOKEN: the value is not accepted (not shown, it is secret); use the "
        "bot token from @BotFather, like 123456789:AAF....",
        "BLOCBOT_TIMEZONE: “Hanoi” is not accepted; use a time zone name like Asia/Ho_Chi_Minh.",
        "BLOCBOT_OUTBOX_RATE: “fast” is not accepted; use a number of messages per second, "
        "0 or more (0: no limit).",
    ]
    assert "my-secret-token" not in err


def test_a_bad_locale_is_reported_in_vietnamese(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_LOCALE", "fr")

    code, _out, err = run_main(["bloc", "list"], capsys)

    assert code == 2
    assert err == "BLOCBOT_LOCALE: giá trị “fr” không hợp lệ; hãy dùng vi hoặc en.\n"


def test_a_database_password_is_not_shown(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", "mysql://blocbot:s3cret@db.example/blocbot")

    code, _out, err = run_main(["bloc", "list"], capsys)

    assert code == 2
    assert "s3cret" not in err and "mysql://blocbot:***@db.example/blocbot" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["bloc", "list"],
        ["bloc", "import", "examples/broken.yaml"],
        ["db", "upgrade"],
        ["invites", "tw-thaibinh"],
        ["run"],
        ["demo"],
        ["--help"],
        ["nope"],
        [],
    ],
)
def test_every_command_stops_on_a_bad_setting(
    cli_db: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", "mysql://x")

    code, out, err = run_main(argv, capsys)

    assert (code, out) == (2, "")
    assert err.startswith("BLOCBOT_DATABASE_URL: “mysql://x” is not accepted; use ")


def test_version_is_printed_even_with_a_bad_setting(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_TIMEZONE", "Mars/Olympus")

    code, out, err = run_main(["--version"], capsys)

    assert code == 2
    assert out.startswith("blocbot ")
    assert err.startswith("BLOCBOT_TIMEZONE: “Mars/Olympus” is not accepted")


def test_bad_setting_in_a_subprocess_in_vietnamese_without_traceback(tmp_path: Path) -> None:
    env = {"BLOCBOT_DATABASE_URL": "mysql://x", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bloc", "list"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "BLOCBOT_DATABASE_URL: giá trị “mysql://x” không hợp lệ; hãy dùng một URL bất đồng bộ "
        "của SQLAlchemy: sqlite+aiosqlite:///TỆP.db hoặc "
        "postgresql+asyncpg://NGƯỜI_DÙNG@MÁY_CHỦ:5432/CSDL.\n"
    )


def test_settings_from_the_env_file_are_checked_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "BLOCBOT_LOCALE=en\nBLOCBOT_OUTBOX_LEASE=soon\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bloc", "list"],
        capture_output=True, text=True, env={"PATH": ""}, cwd=tmp_path, check=False,
    )  # fmt: skip

    assert done.returncode == 2
    assert done.stderr == (
        "BLOCBOT_OUTBOX_LEASE: “soon” is not accepted; use a number of seconds above 0.\n"
    )


def test_readme_shows_a_bad_setting_as_it_is(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_LOCALE", "vi")
    monkeypatch.setenv("BLOCBOT_OUTBOX_RATE", "nhanh")

    code, _out, err = run_main(["bloc", "list"], capsys)

    assert code == 2
    assert err.splitlines() == readme_shows("BLOCBOT_OUTBOX_RATE=nhanh blocbot bloc list")


# --- the help, translated ------------------------------------------------------------------

HELP_AND_ERRORS = [
    ["--help"],
    ["bloc", "--help"],
    ["bloc", "import", "--help"],
    ["bloc", "list", "--help"],
    ["db", "--help"],
    ["db", "upgrade", "--help"],
    ["invites", "--help"],
    ["demo", "--help"],
    ["run", "--help"],
    ["bloc", "import"],  # the following arguments are required
    ["nope"],  # invalid choice
    ["invites", "tw-thaibinh", "--rotate=yes"],  # ignored explicit argument
    ["demo", "--database"],  # expected one argument
    ["bloc", "list", "extra"],  # unrecognized arguments
]
# Words typed as they are (commands, options), loanwords of the Vietnamese texts, the wrong
# input above, and "in" (to print, in Vietnamese).
LITERAL = {
    *("blocbot", "bloc", "import", "list", "db", "upgrade", "invites", "demo", "run"),
    *("rotate", "database", "version", "help", "h", "yaml", "YAML", "SQLite", "bot", "token"),
    *("nope", "yes", "extra", "in", "audit", "verify", "season", "export", "XLSX"),
    *("minutes", "proposal", "docx", "yml"),
}


def help_texts(
    locale: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("BLOCBOT_LOCALE", locale)
    texts = []
    for argv in HELP_AND_ERRORS:
        code, out, err = run_main(argv, capsys)
        assert code == (0 if "--help" in argv else 2), argv
        texts.append(out + err)
    return "\n".join(texts)


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text))


def test_help_and_usage_errors_speak_one_language(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vietnamese = help_texts("vi", monkeypatch, capsys)
    english = help_texts("en", monkeypatch, capsys)

    assert "cách dùng: blocbot [-h] [--version] LỆNH ..." in vietnamese
    assert "tùy chọn:" in vietnamese and "hiện hướng dẫn này rồi thoát" in vietnamese
    assert "blocbot bloc import: lỗi: còn thiếu tham số bắt buộc: TỆP.yaml" in vietnamese
    assert "usage: blocbot [-h] [--version] COMMAND ..." in english
    assert "the following arguments are required: FILE.yaml" in english
    assert words(vietnamese) & words(english) <= LITERAL  # no English left, no Vietnamese in
    assert english.isascii()


# --- bloc import in people's words ---------------------------------------------------------


def test_readme_shows_what_importing_the_broken_example_says(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    shown = {}
    for locale, command in (
        ("vi", "blocbot bloc import examples/broken.yaml"),
        ("en", "BLOCBOT_LOCALE=en blocbot bloc import examples/broken.yaml"),
    ):
        monkeypatch.setenv("BLOCBOT_LOCALE", locale)
        code, out, err = run_main(["bloc", "import", "examples/broken.yaml"], capsys)
        assert (code, out) == (1, "")
        assert err.splitlines() == readme_shows(command)
        shown[locale] = err.splitlines()

    assert [line.split(":")[0].strip() for line in shown["en"][1:]] == [
        "season.head",
        "season.criteria[0].items[1].max",
        "season.criteria[1].items[0].max",
        "season.deadlines[0].due",
        "season.meetings[0].plac",
    ]
    assert main(["bloc", "list"]) == 0
    assert "No blocs yet" in capsys.readouterr().out  # nothing was written


def edited_sample(tmp_path: Path, **season: Any) -> Path:
    """The sample with its step, tie-break, I.1 maximum and deadline changed as the README."""
    data = sample_data()
    data["season"]["scoring"].update(step=0.25, tie_break=["group:I", "submitted_at"])
    data["season"]["criteria"][0]["items"][0]["max"] = 30
    data["season"]["deadlines"][0]["due"] = season.get("due", "2021-11-25 17:00")
    path = tmp_path / "tw-thaibinh.yaml"
    path.write_text(dump(data), encoding="utf-8")
    return path


def test_readme_shows_a_reimport_in_peoples_words(
    cli_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BLOCBOT_LOCALE", "vi")
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    capsys.readouterr()

    code, out, err = run_main(["bloc", "import", str(edited_sample(tmp_path))], capsys)

    assert code == 0
    shown = readme_shows("blocbot bloc import examples/tw-thaibinh.yaml")
    assert out.splitlines() + err.splitlines() == shown
    assert (
        "Thứ tự xét khi bằng điểm: nhóm I, điểm trừ, thời điểm nộp → nhóm I, thời điểm nộp" in out
    )
    for python in ("Decimal", "['", "+00:00", "T17:", "0.5", "2021-11-2"):
        assert python not in out + err


def test_reimport_in_english(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    capsys.readouterr()

    code, out, err = run_main(["bloc", "import", str(edited_sample(tmp_path))], capsys)

    assert code == 0
    assert out.splitlines()[1:] == [
        "  ~ season 2021",
        "      Score step: 0.5 → 0.25",
        "      Order when totals are equal: group I, deductions, time of submission"
        " → group I, time of submission",
        "  ~ criterion I.1",
        "      Maximum: 25 → 30",
        "  ~ event self-score",
        "      Time: 20/11/2021 17:00 → 25/11/2021 17:00",
    ]
    assert err == (
        "Warning: the deadline that closes scoring, “Gửi bảng tự chấm điểm về Trưởng khối” "
        "(self-score) at 25/11/2021 17:00, is already past: agencies can no longer fill in or "
        "submit their sheets. Give it a later due time in the file to open scoring.\n"
    )


def test_deadline_warning_only_when_it_is_set_or_moved_into_the_past(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, first = run_main(["bloc", "import", str(SAMPLE)], capsys)
    assert code == 0 and first.startswith("Warning: the deadline that closes scoring")
    code, out, again = run_main(["bloc", "import", str(SAMPLE)], capsys)
    assert code == 0 and "no changes" in out and again == ""

    later = edited_sample(tmp_path, due="2099-11-25 17:00")
    code, out, ahead = run_main(["bloc", "import", str(later)], capsys)

    assert code == 0 and ahead == ""
    assert "Time: 20/11/2021 17:00 → 25/11/2099 17:00" in out


def test_roles_awards_and_reminders_read_as_words(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    capsys.readouterr()
    data = sample_data()
    data["season"]["deputies"] = ["thue"]
    data["season"]["scoring"]["awards"][1]["count"] = 3
    data["season"]["deadlines"][0]["remind"] = ["3d", "2h", "30m"]
    data["season"]["meetings"][1]["place"] = "Hội trường UBND tỉnh"
    changed = tmp_path / "changed.yaml"
    changed.write_text(dump(data), encoding="utf-8")

    code, out, _err = run_main(["bloc", "import", str(changed)], capsys)

    assert code == 0
    assert "  ~ role thongke: deputy head → member agency" in out
    assert "  ~ role thue: member agency → deputy head" in out
    assert (
        "      Award proposals: Cờ thi đua của UBND tỉnh (1 agency), Bằng khen của Chủ tịch "
        "UBND tỉnh (2 agencies) → Cờ thi đua của UBND tỉnh (1 agency), Bằng khen của Chủ tịch "
        "UBND tỉnh (3 agencies)"
    ) in out
    assert (
        "      Reminders before: 7 days, 3 days, 1 day, 2 hours → 3 days, 2 hours, 30 minutes"
        in out
    )
    assert (
        "      Place: “Hội trường Ngân hàng Nhà nước chi nhánh tỉnh Thái Bình”"
        " → “Hội trường UBND tỉnh”" in out
    )


def test_a_database_that_cannot_be_opened_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "blocbot.db"
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    monkeypatch.setenv("BLOCBOT_LOCALE", "en")

    code, out, err = run_main(["bloc", "list"], capsys)

    assert (code, out) == (1, "")
    assert err == (
        f"Could not use the database sqlite+aiosqlite:///{missing}: unable to open database file\n"
    )
