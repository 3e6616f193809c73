"""What `blocbot run` starts beside the application: the channels whose token is set, the web
server with its health and metrics, the inbox in webhook mode, the dispatcher and the jobs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from bot.config import Settings
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.jobs import PeriodicJob
from bot.scheduler.leadership import Leadership
from bot.storage.files import LINK_PATH, UPLOAD_PATH

if TYPE_CHECKING:
    from bot.app import App
    from bot.channels.hub import Hub
    from bot.channels.inbox import Inbox
    from bot.web.health import Health
    from bot.web.metrics import Metrics
    from bot.web.server import WebServer


@dataclass
class Running:
    """What ``blocbot run`` starts and stops: built here, started by the runner."""

    hub: Hub
    metrics: Metrics
    health: Health
    server: WebServer
    channels: list[RunningChannel]
    dispatcher: Dispatcher  # runs in the leading replica only, as do the jobs but ``everywhere``
    jobs: list[PeriodicJob]
    leadership: Leadership
    inbox: Inbox | None = None  # webhook mode: the updates every replica takes from


def running(app: App) -> Running:
    """Everything ``blocbot run`` runs, for the channels whose token is set."""
    from bot.channels.hub import Hub
    from bot.web.health import Health
    from bot.web.metrics import Metrics
    from bot.web.server import WebServer

    hub = Hub()
    metrics = Metrics(("telegram", "zalo"))
    leadership = app.leadership()
    health = Health(app.uow, leadership=leadership.state)
    server = WebServer(app.settings.listen, health, metrics)
    inbox = build_inbox(app, metrics) if app.settings.webhook_mode else None
    return Running(
        hub=hub,
        metrics=metrics,
        health=health,
        server=server,
        channels=build_channels(app.settings, app, hub, health, metrics, server, inbox),
        dispatcher=app.dispatcher(hub, observer=metrics),
        jobs=[_counted(job, metrics) if job.name == "reminders" else job for job in app.jobs],
        leadership=leadership,
        inbox=inbox,
    )


def build_inbox(app: App, metrics: Metrics | None = None) -> Inbox:
    """The inbox the webhooks store updates in and this replica's worker takes them from."""
    from bot.channels.inbox import Inbox

    settings = app.settings
    return Inbox(
        app.uow,
        app.clock,
        app.replica,
        lease=settings.inbox_lease,
        concurrency=settings.inbox_concurrency,
        observer=metrics,
    )


class RunningChannel(Protocol):
    """A channel the runner starts and stops."""

    @property
    def label(self) -> str:
        """How the log names it: ``telegram: @username``."""

    async def start(self) -> None: ...

    def lead(self) -> None:
        """What the channel does once per lead, in the replica that leads (menus)."""

    async def stop(self) -> None: ...


def build_channels(
    settings: Settings,
    app: App,
    hub: Hub,
    health: Health,
    metrics: Metrics,
    server: WebServer,
    inbox: Inbox | None = None,
) -> list[RunningChannel]:
    """The channels whose token is set, their webhooks routed on ``server`` in webhook mode
    to store updates in ``inbox`` (and, with Zalo, the download links of the files it sends
    and the page that takes the filled sheet, whose files it hands in as its own updates)."""
    found: list[RunningChannel] = []
    mode = "webhook" if settings.webhook_mode else "polling"
    if settings.telegram_token:
        from bot.channels.telegram import TelegramChannel

        telegram_mode = mode if settings.telegram_polling else "sending"
        telegram = TelegramChannel(
            settings,
            app.router,
            hub,
            app.directory(),
            state=health.channel("telegram", telegram_mode),
            observer=metrics,
            files=app.files,
            inbox=inbox,
        )
        if telegram.webhook:
            server.route("POST", telegram.webhook_path, telegram.on_webhook())
        found.append(telegram)
    if settings.zalo_token:
        from bot.channels.zalo import ZaloChannel
        from bot.channels.zalo_files import file_links
        from bot.web.files import file_download
        from bot.web.uploads import SheetUploads

        files, links = app.files, file_links(settings)
        server.route("GET", LINK_PATH, file_download(files, links, settings.locale))
        zalo = ZaloChannel(
            settings,
            app.router,
            hub,
            reach=app.reach,
            state=health.channel("zalo", mode),
            observer=metrics,
            files=files,
            links=links,
            inbox=inbox,
        )
        uploads = SheetUploads(links, app.work, zalo.hand_in, settings.locale)
        server.route("GET", UPLOAD_PATH, uploads.page)
        server.route("POST", UPLOAD_PATH, uploads.take)
        if zalo.webhook:
            server.route("POST", zalo.webhook_path, zalo.on_webhook)
        found.append(zalo)
    return found


def _counted(job: PeriodicJob, metrics: Metrics) -> PeriodicJob:
    """The reminders job, counting the messages each tick puts in the outbox."""

    async def tick() -> int:
        added = await job.run()
        metrics.reminders_fired(added if isinstance(added, int) else 0)
        return added if isinstance(added, int) else 0

    return replace(job, run=tick)
