"""Three replicas in webhook mode on one PostgreSQL, behind a load balancer, the leader killed.

Three `blocbot run` processes share one PostgreSQL database; Telegram (the emulator) posts
every update to one webhook address, a round-robin balancer in front of the three, as a load
balancer would. A hundred contacts of two blocs enrol and fill their sheets, each sending /score
and every score in one burst, without waiting for a reply (the bot reads a bare score as that of
the criterion it asks next, so an update handled out of order or twice puts a value on the wrong
criterion), then submit. Meanwhile the leading replica is killed with SIGKILL and started again,
twice. A message to each of 60 other people waits in the outbox when the replicas start.

At the end every sheet holds exactly its contact's values, each set once (the audit log), every
reply came in the order of the messages it answers and none twice, every update was stored
once and handled, each outbox message was sent once and never faster than the rate allows (one
sender at a time), and each kill moved the lead to another replica. The only reply allowed to be
missing is that of an update whose replica died after recording it and before its reply went
out: then another replica took the update over (it was claimed twice) and, finding it recorded,
did not answer it again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.blocfile import parse_bloc
from bot.clock import FrozenClock
from bot.domain.scores import format_points
from bot.storage.models import (
    AuditEntry,
    CriterionRow,
    InboxUpdate,
    OutboxMessage,
    ProcessedUpdate,
    ScoreSheet,
)
from bot.storage.repositories import NewMessage
from bot.testing.balancer import Balancer
from bot.testing.process import BotProcess
from bot.testing.serving import free_port
from bot.testing.telegram_emulator import ChatMessage, FakeUser, TelegramEmulator
from tests.e2e.test_leader_replicas import busiest_second, outbox_of

CONTACTS = 100
BLOC_SIZE = 50  # agencies per bloc (a bloc file allows 50)
CRITERIA = 3
OUTBOX = 60  # messages waiting in the outbox at start, to people who never write
OUTBOX_RATE = 10  # messages a second the outbox may send (all replicas together)
TAKEOVER = 10.0  # seconds from the leader's death to another replica leading, at most
SECRET = "replicas-webhook-s3cret"
LEASE = "5"  # seconds a dead replica's claim holds
QUIET = 4.0  # seconds without the replies awaited before looking whether one was lost
PATIENCE = 120.0  # seconds a contact waits for the replies of one burst at most
STEP = Decimal("0.5")

Marker = Callable[[ChatMessage], bool]


def bloc_file(number: int) -> str:
    """A bloc of ``BLOC_SIZE`` agencies and one group of ``CRITERIA`` criteria."""
    due = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=20)).strftime("%Y-%m-%d")
    items = [f"        - {{code: A.{n}, title: Tiêu chí {n}, max: 10}}" for n in criteria()]
    return "\n".join(
        [
            f"bloc: {{code: replica-{number}, name: Khối thi đua số {number}}}",
            "agencies:",
            *(f"  - {{code: a{n}, name: Đơn vị {n}}}" for n in range(BLOC_SIZE)),
            "season:",
            "  year: 2025",
            "  head: a0",
            "  scoring: {step: 0.5, tie_break: [group:A, submitted_at]}",
            "  criteria:",
            "    - code: A",
            "      title: Nhiệm vụ",
            "      items:",
            *items,
            "  deadlines:",
            f'    - {{code: self-score, title: Hạn, due: "{due} 17:00", closes_scoring: true}}',
        ]
    )


def criteria() -> range:
    return range(1, CRITERIA + 1)


def intended(rng: random.Random) -> list[Decimal]:
    """A contact's scores: never the one before (a repeat is asked about, not stored)."""
    values: list[Decimal] = []
    for _ in criteria():
        options = [STEP * n for n in range(21) if not values or STEP * n != values[-1]]
        values.append(rng.choice(options))
    return values


def typed(value: Decimal) -> str:
    return format_points(value, "vi")


def saying(text: str) -> Marker:
    return lambda message: text in message.content


def asking_to_submit(message: ChatMessage) -> bool:
    return any(data.startswith("sc:submit:") for data in payloads(message))


def payloads(message: ChatMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def label_of(message: ChatMessage, prefix: str) -> str:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return next(
        str(b["text"])
        for row in rows
        for b in row
        if str(b.get("callback_data", "")).startswith(prefix)
    )


@dataclass(frozen=True)
class Sent:
    """A person's message (or press) and what its reply says."""

    update_id: int
    what: str
    answered_by: Marker


class Progress:
    """How many messages the contacts sent, for the crashes to wait on."""

    def __init__(self) -> None:
        self.sent = 0
        self._changed = asyncio.Event()

    def one_more(self) -> None:
        self.sent += 1
        self._changed.set()

    async def reached(self, count: int) -> None:
        while self.sent < count:
            self._changed.clear()
            await self._changed.wait()


@dataclass
class Contact:
    """The contact of one agency, filling its sheet."""

    tg: TelegramEmulator
    app: App
    user: FakeUser
    code: str  # the agency's invite code
    values: list[Decimal]
    progress: Progress
    sent: list[Sent] = field(default_factory=list)
    replies: list[ChatMessage] = field(default_factory=list)  # matched, in order
    lost: list[Sent] = field(default_factory=list)  # answered by nobody: see the module

    async def fill(self) -> None:
        """Enrol; open the sheet and send every score at once; submit."""
        await self.burst([(f"/start {self.code}", saying("Xin chào"))])
        scores = [
            (typed(self.values[n - 1]), saying(f"A.{n} = {typed(self.values[n - 1])}"))
            for n in criteria()
        ]
        await self.burst([("/score", saying("A.1 —")), *scores])
        review = self.replies[-1] if self.replies else None
        if review is None or not asking_to_submit(review):  # its reply was lost: ask again
            await self.burst([("/score", asking_to_submit)])
            review = self.replies[-1]
        label = label_of(review, "sc:submit:")
        await self.burst([(label, saying("Đã nộp. Tổng điểm"))], press=review)

    async def burst(
        self, actions: list[tuple[str, Marker]], press: ChatMessage | None = None
    ) -> None:
        """Send every text at once (or press the button ``press`` has), then wait for the
        replies: all of them, or all but those of updates handled without one."""
        seen = len(self.tg.messages(self.user))
        burst: list[Sent] = []
        for text, marker in actions:
            if press is not None:
                query = await self.user.press(text, message=press)
                update_id = self.tg.presses[query].update_id
            else:
                update_id = (await self.user.send(text)).update_id
            assert update_id is not None
            burst.append(Sent(update_id, text, marker))
            self.progress.one_more()
        self.sent += burst
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while True:
            try:
                await self.tg.wait_until(
                    lambda: len(self.tg.messages(self.user)) - seen >= len(burst), QUIET
                )
                break
            except TimeoutError:
                missing = self.unanswered(seen, burst)
                if await self.all_done(missing):
                    break  # handled, their replies lost with the replica that had them
                if loop.time() > deadline:
                    raise AssertionError(
                        f"{self.user.id}: no reply to {[s.what for s in missing]} in "
                        f"{PATIENCE:g} s:\n{self.tg.transcript(self.user, 20)}\n"
                        f"{await self.inbox_rows()}\n{self.tg.feed.webhook_errors[-5:]}"
                    ) from None
        got = self.tg.messages(self.user)[seen:]
        unanswered = self.unanswered(seen, burst)
        assert len(got) + len(unanswered) == len(burst), (
            f"{self.user.id}: replies out of order or twice:\n{self.tg.transcript(self.user, 20)}"
        )
        self.replies += got
        self.lost += unanswered

    def unanswered(self, seen: int, burst: list[Sent]) -> list[Sent]:
        """The messages of ``burst`` without their reply, the replies taken in order."""
        got = iter(self.tg.messages(self.user)[seen:])
        missing: list[Sent] = []
        reply = next(got, None)
        for sent in burst:
            if reply is not None and sent.answered_by(reply):
                reply = next(got, None)
            else:
                missing.append(sent)
        return missing

    async def inbox_rows(self) -> str:
        """What the inbox holds of this chat, to tell why a reply did not come."""
        async with self.app.uow() as unit:
            rows = await unit.session.scalars(
                select(InboxUpdate)
                .where(InboxUpdate.chat_id == str(self.user.id))
                .order_by(InboxUpdate.id)
            )
            return "\n".join(
                f"{r.id} {r.update_key} {r.payload.get('message', {}).get('text')!r} "
                f"received {r.received_at:%T.%f} claimed by {r.claimed_by} until "
                f"{r.claimed_until} ({r.attempts}x) done {r.done_at}"
                for r in rows
            )

    async def all_done(self, missing: list[Sent]) -> bool:
        """Whether every one of these updates is handled (a reply would have come first)."""
        async with self.app.uow() as unit:
            done = await unit.session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(
                    InboxUpdate.platform == "telegram",
                    InboxUpdate.update_key.in_([str(sent.update_id) for sent in missing]),
                    InboxUpdate.done_at.is_not(None),
                )
            )
        return done == len(missing)


async def seed(app: App) -> list[str]:
    """The two blocs; one invite code per agency."""
    codes: list[str] = []
    for number in range(CONTACTS // BLOC_SIZE):
        report = await app.blocs.import_bloc(parse_bloc(bloc_file(number)))
        codes += [
            line.code for line in await app.invites.invites(report.bloc_code) if line.agency_code
        ]
    return codes


async def queue_outbox(app: App, tg: TelegramEmulator) -> list[FakeUser]:
    """A message to each of ``OUTBOX`` people, due now; they never write."""
    people = [tg.user(700_000 + n, f"Người nhận {n}") for n in range(OUTBOX)]
    for person in people:
        tg.chat_of(person, None)  # they talked to the bot once, long ago
    now = app.clock.now()
    messages = [
        NewMessage("telegram", str(p.id), f"Nhắc hạn số {n}", now, dedupe_key=f"replicas-{n}")
        for n, p in enumerate(people)
    ]
    async with app.uow() as unit:
        await unit.outbox.enqueue(messages, now)
        await unit.commit()
    return people


@pytest.mark.postgres
@pytest.mark.timeout(400)  # about 30 s alone on two cores; much more beside other suites
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_three_replicas_answer_everyone_once_and_in_order_through_two_crashes(
    tg: TelegramEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))  # the children run on the real clock
    codes = await seed(app)
    recipients = await queue_outbox(app, tg)
    ports = [free_port() for _ in range(3)]
    tg.feed.retry_pause = 0.2  # Telegram waits longer; the test does not need to
    tg.feed.longest_pause = 2.0
    async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        replicas = [
            BotProcess.against(
                tg,
                database_url,
                tmp_path / f"replica-{n}",
                replica_name=f"r{n}",
                outbox_rate=str(OUTBOX_RATE),
                listen=f"127.0.0.1:{port}",
                webhook_url=balancer.base_url,
                webhook_secret=SECRET,
                inbox_lease=LEASE,
                database_pool="8",  # three replicas within the server's 100 connections
            )
            for n, port in enumerate(ports)
        ]
        crashing: asyncio.Task[None] | None = None
        try:
            for replica in replicas:
                replica.start()
            await asyncio.gather(*(replica.wait_running(60) for replica in replicas))
            registered = str(tg.webhook["url"])
            assert registered.startswith(f"{balancer.base_url}/webhook/telegram/")
            await tg.deliver_to(registered, SECRET, connections=16)

            rng = random.Random(20251120)
            progress = Progress()
            contacts = [
                Contact(tg, app, tg.user(3000 + n, f"Đầu mối {n}"), code, intended(rng), progress)
                for n, code in enumerate(codes)
            ]
            total = len(contacts) * (CRITERIA + 3)  # /start, /score, the scores, submit

            def delivered() -> bool:
                return all(tg.messages(person) for person in recipients)

            async def recorded_sent() -> None:
                """Until every outbox message is recorded as sent: a kill between Telegram
                taking one and its record would repeat it (the gap the README describes)."""
                async with asyncio.timeout(120):
                    while True:
                        async with app.uow() as unit:
                            found = await unit.session.scalars(select(OutboxMessage.status))
                            if list(found) == ["sent"] * OUTBOX:
                                return
                        await asyncio.sleep(0.2)

            async def leading(among: list[BotProcess]) -> BotProcess:
                """The replica that says it leads, waiting up to TAKEOVER for one."""
                async with asyncio.timeout(TAKEOVER):
                    while True:
                        for replica in among:
                            if (await outbox_of(replica))["leader"]:
                                return replica
                        await asyncio.sleep(0.1)

            async def crashes() -> None:
                await tg.wait_until(delivered, timeout=120)
                await recorded_sent()  # nothing of the outbox in hand
                for share in (0.3, 0.65):
                    await progress.reached(int(total * share))
                    victim = await leading(replicas)
                    assert await victim.kill() != 0
                    others = [replica for replica in replicas if replica is not victim]
                    successor = await leading(others)
                    handovers.append((replicas.index(victim), replicas.index(successor)))
                    victim.start()
                    await victim.wait_running(60)

            handovers: list[tuple[int, int]] = []  # (the killed leader, the next one)
            crashing = asyncio.create_task(crashes())
            await asyncio.gather(*(contact.fill() for contact in contacts))
            await crashing
            # The leader was killed twice, and each time another replica took the lead.
            assert len(handovers) == 2 and all(dead != next for dead, next in handovers)
            assert sum(replica.log.count("blocbot is running") for replica in replicas) == 5
        finally:
            if crashing is not None:
                crashing.cancel()
            for replica in replicas:
                if replica.running:
                    await replica.stop()
            for n, replica in enumerate(replicas):
                print(f"--- replica {n} ---\n{replica.log[-2500:]}")
        served = dict(balancer.served)

    # Every sheet holds its contact's values, each stored once, and is submitted.
    sheets, changes = await stored(app)
    for contact in contacts:
        wanted = {f"A.{n}": contact.values[n - 1] for n in criteria()}
        assert sheets[contact.code] == (wanted, True), contact.user.id
    assert sorted(changes) == sorted(
        (contact.code, f"A.{n}", contact.values[n - 1]) for contact in contacts for n in criteria()
    )
    # Every update was stored once and handled once; a reply is missing only where the
    # replica that recorded the update died before answering, and another one took it over.
    sent = [s for contact in contacts for s in contact.sent]
    async with app.uow() as unit:
        rows = (
            await unit.session.execute(
                select(
                    InboxUpdate.update_key,
                    InboxUpdate.attempts,
                    InboxUpdate.claimed_by,
                    InboxUpdate.done_at.is_not(None),
                )
            )
        ).all()
        recorded = await unit.session.scalar(select(func.count()).select_from(ProcessedUpdate))
        statuses = (await unit.session.scalars(select(OutboxMessage.status))).all()
    by_key = {key: (attempts, worker, done) for key, attempts, worker, done in rows}
    assert sorted(by_key) == sorted(str(s.update_id) for s in sent)
    assert all(done for _attempts, _worker, done in by_key.values())
    assert recorded == len(sent)
    lost = [s for contact in contacts for s in contact.lost]
    assert all(by_key[str(s.update_id)][0] >= 2 for s in lost), lost
    retaken = sum(1 for attempts, _w, _d in by_key.values() if attempts > 1)
    print(f"{len(sent)} updates, {retaken} taken over, {len(lost)} replies lost; {served}")
    assert len(lost) <= 4, lost  # two crashes, each with few replies on their way
    assert sum(len(contact.replies) for contact in contacts) == len(sent) - len(lost)
    # The three replicas shared the work.
    assert len(served) == 3 and min(served.values()) > 0, served
    workers = {worker for _attempts, worker, _done in by_key.values()}
    assert len(workers) >= 3, workers

    # -- The outbox across replicas --------------------------------------------------------
    # Each message was sent once, by the leader alone: never faster than the rate allows
    # (three replicas each sending at that rate would send three times as many a second).
    assert statuses == ["sent"] * OUTBOX
    assert [len(tg.messages(person)) for person in recipients] == [1] * OUTBOX
    busiest = busiest_second(tg, recipients)
    print(f"handovers {handovers}; busiest second of the outbox: {busiest} messages")
    assert busiest <= OUTBOX_RATE * 1.5, busiest


async def stored(
    app: App,
) -> tuple[dict[str, tuple[dict[str, Decimal], bool]], list[tuple[str, str, Decimal]]]:
    """Every agency's sheet (by invite code's agency) and every self-score change."""
    by_code: dict[str, tuple[dict[str, Decimal], bool]] = {}
    changes: list[tuple[str, str, Decimal]] = []
    for number in range(CONTACTS // BLOC_SIZE):
        async with app.uow() as uow:
            bloc = await uow.blocs.get(f"replica-{number}")
            assert bloc is not None
            agencies = {agency.id: agency.code for agency in bloc.agencies}
            bloc_id = bloc.id
            rows = (
                await uow.session.execute(
                    select(ScoreSheet.agency_id, CriterionRow.code, AuditEntry.new_value)
                    .join(ScoreSheet, AuditEntry.sheet_id == ScoreSheet.id)
                    .join(CriterionRow, AuditEntry.criterion_id == CriterionRow.id)
                    .where(AuditEntry.field == "self", ScoreSheet.agency_id.in_(agencies))
                )
            ).all()
        codes = {
            line.agency_code: line.code
            for line in await app.invites.invites(f"replica-{number}")
            if line.agency_code
        }
        for agency_id, agency in agencies.items():
            sheet = await app.services.scoring.sheet(bloc_id, agency_id)
            by_code[codes[agency]] = (dict(sheet.values), sheet.submitted_at is not None)
        changes += [
            (codes[agencies[agency_id]], code, Decimal(str(value)))
            for agency_id, code, value in rows
        ]
    return by_code, changes
