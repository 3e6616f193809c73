"""Settings as the environment gives them: secrets kept out of sight, operators as pairs."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.config import Settings, problems, revealed

TOKEN = "123456789:AAF-secret_part"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_a_token_is_a_secret_that_is_never_printed() -> None:
    chosen = settings(telegram_token=f"  {TOKEN} ", webhook_secret="s3cret-enough")

    assert isinstance(chosen.telegram_token, SecretStr)
    assert revealed(chosen.telegram_token) == TOKEN
    assert revealed(chosen.zalo_token) == ""
    assert TOKEN not in repr(chosen) and "s3cret-enough" not in str(chosen.model_dump())


def test_operators_from_the_environment_are_platform_and_user_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BLOCBOT_OPERATORS", " telegram:123, zalo:abc,,telegram:123 ")

    chosen = settings()

    assert chosen.operators == chosen.operator_ids() == {("telegram", "123"), ("zalo", "abc")}
    assert settings(operators="").operator_ids() == frozenset()


@pytest.mark.parametrize("value", ["telegram123", "telegram:1,viber:2", "zalo:", "zalo:a b"])
def test_a_bad_operator_list_is_reported_as_it_was_given(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BLOCBOT_OPERATORS", value)

    with pytest.raises(ValidationError) as refused:
        settings()

    (problem,) = problems(refused.value)
    assert (problem.variable, problem.value) == ("BLOCBOT_OPERATORS", value)
