"""The bot's HTTP server: the channels' webhooks, ``/healthz`` and ``/metrics``."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

from bot.config import parse_listen
from bot.web.health import Health, HealthReport, one_line
from bot.web.metrics import Metrics

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 5.0  # seconds requests in flight get to finish when the server stops


class _DebugAccessLog(AbstractAccessLogger):
    """One line per request, at DEBUG only: a scrape every few seconds is not news."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.debug(
            "%s %s %d %.3f s", request.method, request.path_qs, response.status, time
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.DEBUG)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A failing handler answers 500 and logs one line (the traceback at DEBUG), never more."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        log.error("%s %s failed: %s", request.method, request.path, one_line(error))
        log.debug("%s %s failed", request.method, request.path, exc_info=error)
        return web.Response(status=500, text="internal server error\n")


class WebServer:
    """An aiohttp server on ``listen``; webhook routes are added before ``start()``."""

    def __init__(self, listen: str, health: Health, metrics: Metrics) -> None:
        self.host, self._port = parse_listen(listen)
        self.health = health
        self.metrics = metrics
        self.app = web.Application(middlewares=[_errors])
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/metrics", self._metrics)
        self._runner: web.AppRunner | None = None

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``method path`` with ``handler`` (a webhook); only before ``start()``."""
        if self._runner is not None:
            raise RuntimeError("routes are added before the web server starts")
        self.app.router.add_route(method, path, handler)

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose, for port 0, once started)."""
        return self._port

    async def start(self) -> None:
        """Listen; raises when the address is taken or not ours."""
        runner = web.AppRunner(
            self.app,
            access_log=logging.getLogger("bot.web.access"),
            access_log_class=_DebugAccessLog,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                self._port = int(address[1])
                break
        log.info("web server listening on %s:%d", self.host or "*", self._port)

    async def stop(self) -> None:
        """Stop listening and let the requests in flight finish."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        """200 with the report when healthy, 503 with it otherwise."""
        report = await self.health.report()
        return web.json_response(report.to_json(), status=200 if report.healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        """The metrics, their gauges set from a fresh health report."""
        self._snapshot(await self.health.report())
        body, content_type = self.metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    def _snapshot(self, report: HealthReport) -> None:
        self.metrics.snapshot(
            database_up=report.database_ok,
            outbox_depth=report.outbox_depth if report.database_ok else None,
            conversations_in_progress=report.conversations_open,
            channels=[(state.platform, state.mode, state.healthy) for state in report.channels],
            leader=report.leader.leading if report.leader is not None else None,
            inbox_depth=report.inbox_depth if report.database_ok else None,
        )
