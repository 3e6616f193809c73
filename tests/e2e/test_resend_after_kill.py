"""Re-sent answers after a crash: `blocbot run` is killed while contacts answer bare numbers.

One contact per agency of the sample bloc fills the sheet one criterion at a time, all at once,
reading each prompt for the criterion asked and typing that criterion's value (an agency's
values differ from one criterion to the next, except a few equal neighbours). An answer that
gets no reply within a short wait is sent again, as people do. The bot is killed with SIGKILL
three times while answers are in flight: right after a batch of answers went out, at the moment
it sends the reply to a stored answer (so that reply is lost), and right after a button press;
it is started again each time. A repeated value is asked about ("Is 20 also the score of
I.2?"): the contact saves it only if it is that criterion's value, else scores it anew.

At the end every sheet holds each criterion's value, and the audit log, which records every
change, shows that no value was ever stored on a criterion it was not meant for. Runs on SQLite
and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.clock import FrozenClock
from bot.storage.models import AuditEntry, CriterionRow, ScoreSheet
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import ChatMessage, FakeUser, TelegramEmulator
from bot.testing.telegram_emulator.limits import Fault, FaultPlan
from bot.testing.telegram_emulator.wire import Params
from tests.e2e.season import seeded
from tests.unit.blocfile_cases import sample_data

PATIENCE = 2.5  # seconds a contact waits for a reply before sending the same thing again
MAX_RESENDS = 2  # after that they wait longer
LONG_WAIT = 30.0  # seconds after the last re-send before the test gives up
STEP = Decimal("0.5")
EQUAL_NEIGHBOURS = 2  # criteria per agency whose value is the one of the criterion before
# The kills come once this many bare answers were sent (of about 8 x 17).
FIRST_KILL, SECOND_KILL, THIRD_KILL = 20, 45, 70

Action = Callable[[], Awaitable[object]]
Change = tuple[str, str, str | None, str | None]  # agency, criterion, old value, new value


@dataclass(frozen=True)
class Item:
    """A criterion of the sample bloc, as far as typing a score for it goes."""

    code: str
    max: Decimal
    yesno: bool

    def options(self) -> list[Decimal]:
        """Every value it takes: 0 to max in steps of 0.5; 0 or max for a yes/no one."""
        if self.yesno:
            return [Decimal(0), self.max]
        return [STEP * n for n in range(int(self.max / STEP) + 1)]


def items() -> list[Item]:
    """The criteria of the sample bloc, in sheet order, with their maxima."""
    return [
        Item(str(item["code"]), Decimal(str(item["max"])), item.get("kind") == "yesno")
        for group in sample_data()["season"]["criteria"]
        for item in group["items"]
    ]


def intended(rng: random.Random, criteria: list[Item]) -> dict[str, Decimal]:
    """One agency's values: all different where the maxima allow, never equal to the one
    before, except ``EQUAL_NEIGHBOURS`` criteria that repeat the value before them."""
    fits = [
        n
        for n in range(1, len(criteria))
        if set(criteria[n].options()) & set(criteria[n - 1].options())
    ]
    equal = set(rng.sample(fits, EQUAL_NEIGHBOURS))
    values: dict[str, Decimal] = {}
    previous: Decimal | None = None
    for n, item in enumerate(criteria):
        if n in equal and previous is not None:
            value = previous
        else:
            options = item.options()
            if n + 1 in equal:  # the next criterion repeats this value: it must fit both
                options = [o for o in options if o in criteria[n + 1].options()]
            fresh = [o for o in options if o not in values.values() and o != previous]
            value = rng.choice(fresh or [o for o in options if o != previous])
        values[item.code] = previous = value
    return values


def typed(rng: random.Random, value: Decimal) -> str:
    """How a person types a value: ``20``, ``9,5`` or ``9.5``."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if "." in text and rng.random() < 0.5 else text


def payloads(message: ChatMessage) -> list[str]:
    """The callback data of a message's inline buttons."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def label_of(message: ChatMessage, payload: str) -> str:
    """The label of the button with this callback data."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return next(str(b["text"]) for row in rows for b in row if b.get("callback_data") == payload)


@dataclass
class Pending:
    """An action of a contact whose replies have not all come."""

    tg: TelegramEmulator
    user: FakeUser
    kind: str  # answer (a bare number), press, command, lines
    answer: tuple[str, Decimal] | None  # the criterion and value of a bare answer
    seen: int  # bot messages in the chat before it
    sent: int = 1  # times it was done

    @property
    def replies(self) -> int:
        """Bot messages in the chat since it was first done."""
        return len(self.tg.messages(self.user)) - self.seen


@dataclass
class Contact:
    """The one contact of an agency who fills in its sheet."""

    agency: str
    user: FakeUser
    values: dict[str, Decimal]  # what each criterion is meant to get
    texts: dict[str, str]  # how this person types each of them
    resends: int = 0
    resends_after_kill: int = 0
    repeat_questions: list[str] = field(default_factory=list)  # "20 for I.2 (save)"
    asked_after_resend: int = 0  # repeat questions in the replies to a re-sent value
    refusals: list[str] = field(default_factory=list)  # replies that asked nothing
    last_bare: tuple[str, str] | None = None  # (criterion, text) of the last bare answer


class KillOnReply(FaultPlan):
    """SIGKILL the bot when, armed, it sends a message that ``reply_to_answer(chat)`` says is
    the reply to a stored answer: the answer is kept, its reply never reaches the person."""

    def __init__(self, bot: BotProcess, reply_to_answer: Callable[[int], bool]) -> None:
        super().__init__()
        self.bot = bot
        self.reply_to_answer = reply_to_answer
        self.armed = False
        self.fired = asyncio.Event()

    def take(self, method: str, params: Params | None = None) -> Fault | None:
        chat = params.get_int("chat_id") if params is not None else None
        if self.armed and method == "sendMessage" and chat and self.reply_to_answer(chat):
            self.armed = False
            os.kill(self.bot.pid, signal.SIGKILL)
            self.fired.set()
            return Fault(drop=True)
        return super().take(method, params)


class Season:
    """The contacts filling their sheets, what they wait for, and the crashes."""

    def __init__(
        self, tg: TelegramEmulator, bot: BotProcess, criteria: list[Item], contacts: list[Contact]
    ) -> None:
        self.tg = tg
        self.bot = bot
        self.contacts = {contact.agency: contact for contact in contacts}
        self.criteria = {item.code: item for item in criteria}
        self.before = {b.code: a.code for a, b in itertools.pairwise(criteria)}
        self.after = {a.code: b for a, b in itertools.pairwise(criteria)}
        self.loop = asyncio.get_running_loop()
        self.answers = 0  # bare answers sent, re-sends included
        self.pending: dict[str, Pending] = {}  # by agency
        self.last_kind = ""
        self.acted = asyncio.Event()
        self.kills: list[float] = []
        self.agency_of = {contact.user.chat_id: contact.agency for contact in contacts}
        self.faults = KillOnReply(bot, self.plain_answer_awaits)

    @property
    def waiting(self) -> int:
        """Contacts whose last action got no reply yet."""
        return sum(1 for pending in self.pending.values() if not pending.replies)

    def plain_answer_awaits(self, chat: int) -> bool:
        """True when the chat waits for the reply to a bare answer sent once, one the bot stores
        at once (not equal to the value before it) and whose value the next criterion takes
        (sent again, that answer must be asked about), and no contact has the reply to one
        sending of an action but not yet to the other."""
        if any(0 < pending.replies < pending.sent for pending in self.pending.values()):
            return False
        agency = self.agency_of.get(chat)
        pending = self.pending.get(agency) if agency is not None else None
        if pending is None or pending.answer is None or pending.sent > 1 or pending.replies:
            return False
        code, value = pending.answer
        following = self.after.get(code)
        if following is None or value not in following.options():
            return False
        return not (
            code in self.before and self.contacts[agency].values[self.before[code]] == value
        )

    # -- the contacts --------------------------------------------------------------------------

    async def act(
        self, contact: Contact, kind: str, do: Action, answer: tuple[str, Decimal] | None = None
    ) -> None:
        """Do something and wait for its reply; with no reply within PATIENCE, do it again.

        Every action gets one reply, unless the bot died after it was handled; so once one
        reply came, a missing one is waited for PATIENCE more, then taken for lost.
        """
        seen = len(self.tg.messages(contact.user))
        first = self.loop.time()
        pending = Pending(self.tg, contact.user, kind, answer, seen)
        self.pending[contact.agency] = pending
        await self._do(kind, do)
        resent, last_sent = 0, self.loop.time()
        while (have := pending.replies) < pending.sent:
            if any(killed > last_sent for killed in self.kills):
                # Every send so far came before a kill (a loaded machine answers slowly): the
                # person sends again as if new, now that the bot is back.
                resent, last_sent = 0, self.loop.time()
            patient = have > 0 or resent < MAX_RESENDS
            try:
                await self.tg.wait_until(
                    partial(lambda n: pending.replies > n, have),
                    timeout=PATIENCE if patient else LONG_WAIT,
                )
            except TimeoutError:
                if have:
                    break  # one reply came; the other one died with the bot
                if not patient:
                    raise AssertionError(
                        f"{contact.agency}: no reply in {LONG_WAIT}s; transcript:\n"
                        f"{self.tg.transcript(contact.user, 20)}\n{self.bot.log[-3000:]}"
                    ) from None
                pending.sent += 1
                resent += 1
                last_sent = self.loop.time()
                await self._do(kind, do)  # the same text, the same button
                contact.resends += 1
                if any(first < killed for killed in self.kills):
                    contact.resends_after_kill += 1
        del self.pending[contact.agency]
        got = self.tg.messages(contact.user)[seen:]
        if resent and any(p.startswith("sc:put:") for m in got for p in payloads(m)):
            contact.asked_after_resend += 1

    async def _do(self, kind: str, do: Action) -> None:
        await do()
        self.answers += kind == "answer"
        self.last_kind = kind
        self.acted.set()

    async def fill(self, contact: Contact) -> None:
        """Answer what the bot asked last, until it shows the complete sheet."""
        user = contact.user
        await self.act(contact, "command", partial(user.send, "/score"))
        while True:
            last = self.tg.messages(user)[-1]
            data = payloads(last)
            if not data:
                # Not a question: what was typed was refused. Do as the bot says and send the
                # criterion's code with the score.
                assert contact.last_bare is not None, self.tg.transcript(user, 20)
                contact.refusals.append(last.content)
                code, text = contact.last_bare
                contact.last_bare = None
                await self.act(contact, "lines", partial(user.send, f"{code} {text}"))
            elif any(d.startswith("sc:submit") for d in data):
                return  # the review of a complete sheet
            elif put := [d for d in data if d.startswith("sc:put:")]:
                _sc, _put, code, shown = put[0].split(":")
                save = Decimal(shown) == contact.values[code]
                contact.repeat_questions.append(f"{shown} for {code} ({'save' if save else 'no'})")
                label = label_of(last, put[0] if save else f"sc:ask:{code}")
                await self.act(contact, "press", partial(user.press, label, message=last))
            elif edit := [d for d in data if d.startswith("sc:edit:")]:
                label = label_of(last, edit[0])
                await self.act(contact, "press", partial(user.press, label, message=last))
            else:
                code = self.asked(last)
                assert f"sc:back:{code}" in data, f"{contact.agency}: what is this?\n{last}"
                text = contact.texts[code]
                contact.last_bare = (code, text)
                answer = (code, contact.values[code])
                await self.act(contact, "answer", partial(user.send, text), answer)

    def asked(self, prompt: ChatMessage) -> str:
        """The criterion a prompt asks: the code before " — " on its criterion line."""
        codes = [
            line.partition(" — ")[0]
            for line in prompt.content.splitlines()
            if line.partition(" — ")[0] in self.criteria
        ]
        assert codes, f"no criterion line in:\n{prompt.content}"
        return codes[-1]

    # -- the crashes ---------------------------------------------------------------------------

    async def moment(self, after: int, kinds: tuple[str, ...], crowd: int) -> None:
        """Right after an action of ``kind``, once ``after`` answers were sent, while ``crowd``
        contacts (fewer as more answers go by) wait for a reply, and none has the reply to
        one sending of an action but not yet to the other (sent again before a restart, its
        second reply would come too late to be told from the reply to what it does next)."""
        while True:
            await self.acted.wait()
            self.acted.clear()
            fewer = max(0, self.answers - after) // 10
            enough = self.waiting >= max(1, crowd - fewer)
            halfway = any(0 < p.replies < p.sent for p in self.pending.values())
            if self.answers >= after and self.last_kind in kinds and enough and not halfway:
                return

    async def restart(self, when: str) -> None:
        assert await self.bot.kill() != 0
        self.kills.append(self.loop.time())
        print(f"killed {when}: {self.waiting} contacts were waiting for a reply")
        self.bot.start()
        await self.bot.wait_running()

    async def crash_three_times(self) -> None:
        await self.moment(FIRST_KILL, ("answer",), crowd=3)
        await self.restart("right after a batch of answers")
        await self.moment(SECOND_KILL, ("answer",), crowd=1)
        self.faults.armed = True
        await self.faults.fired.wait()
        await self.restart("while sending the reply to a stored answer")
        # Repeat questions (and so presses) come mostly after a kill: an answer will do too.
        await self.moment(THIRD_KILL, ("press", "answer"), crowd=1)
        await self.restart(
            "right after a button press" if self.last_kind == "press" else "right after an answer"
        )


async def history(app: App) -> tuple[dict[str, dict[str, Decimal]], list[Change]]:
    """Every agency's sheet as stored, and every change of a self-score in the audit log."""
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        bloc_id, agencies = bloc.id, {agency.id: agency.code for agency in bloc.agencies}
        rows = (
            await uow.session.execute(
                select(
                    ScoreSheet.agency_id,
                    CriterionRow.code,
                    AuditEntry.old_value,
                    AuditEntry.new_value,
                )
                .join(ScoreSheet, AuditEntry.sheet_id == ScoreSheet.id)
                .join(CriterionRow, AuditEntry.criterion_id == CriterionRow.id)
                .where(AuditEntry.field == "self")
                .order_by(AuditEntry.id)
            )
        ).all()
    sheets = {
        code: dict((await app.services.scoring.sheet(bloc_id, agency_id)).values)
        for agency_id, code in agencies.items()
    }
    return sheets, [(agencies[agency], code, old, new) for agency, code, old, new in rows]


async def test_resent_answers_never_land_on_another_criterion(
    tg: TelegramEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=30)
    criteria = items()
    rng = random.Random(20211120)
    contacts = []
    for n, agency in enumerate(str(a["code"]) for a in sample_data()["agencies"]):
        values = intended(rng, criteria)
        user = tg.user(2001 + n, f"Đầu mối {agency}", language_code="vi" if n % 2 else "en")
        texts = {code: typed(rng, value) for code, value in values.items()}
        contacts.append(Contact(agency, user, values, texts))
    bot = BotProcess.against(tg, database_url, tmp_path).start()
    season = Season(tg, bot, criteria, contacts)
    tg.faults = season.faults
    started = season.loop.time()
    crashes: asyncio.Task[None] | None = None
    try:
        await bot.wait_running()
        for contact in contacts:
            await contact.user.send(f"/start {codes[contact.agency]}")
            await tg.wait_reply(contact.user, timeout=10)

        async def everyone() -> None:
            await asyncio.gather(*map(season.fill, contacts))

        crashes = asyncio.create_task(season.crash_three_times())
        filling = asyncio.create_task(everyone())
        await asyncio.wait([crashes, filling], return_when=asyncio.FIRST_COMPLETED)
        if crashes.done():
            crashes.result()  # a failed restart fails the test
        await filling
        kills = len(season.kills)
        crashes.cancel()
        with suppress(asyncio.CancelledError):
            await crashes
        assert await bot.stop() == 0

        sheets, changes = await history(app)
        resends = sum(c.resends for c in contacts)
        after_kill = sum(c.resends_after_kill for c in contacts)
        asked = [f"{c.agency}: {q}" for c in contacts for q in c.repeat_questions]
        asked_again = sum(c.asked_after_resend for c in contacts)
        refused = [f"{c.agency}: {r}" for c in contacts for r in c.refusals]
        summary = (
            f"{kills} kills, {resends} re-sends ({after_kill} after a kill), "
            f"{len(asked)} repeat questions ({asked_again} about a re-sent value), "
            f"{len(refused)} replies that asked nothing, in {season.loop.time() - started:.1f}s\n"
            "repeat questions:\n  " + "\n  ".join(asked) + "\n"
            "replies that asked nothing:\n  " + "\n  ".join(refused)
        )
        print(summary)

        meant = {c.agency: c.values for c in contacts}
        wrong = [
            f"{agency} {code}: {old} → {new}, meant {meant[agency][code]}"
            for agency, code, old, new in changes
            if old is not None or new is None or Decimal(new) != meant[agency][code]
        ]
        assert not wrong, "stored where not meant:\n" + "\n".join(wrong) + "\n" + summary
        assert sheets == meant, summary
        assert kills == 3, f"everyone was done before the bot was killed three times: {summary}"
        assert len(changes) == len(contacts) * len(criteria), summary
        assert after_kill >= 1, f"no answer was sent again after a kill: {summary}"
        assert asked_again >= 1, f"no re-sent value was asked about: {summary}"
    finally:
        if crashes is not None:
            crashes.cancel()
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])
