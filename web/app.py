"""Composition root: create_app(settings) wires the database, the API, the pages and the scheduler."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from engine import redaction, report_facts, verification
from engine.db import close_database, connection, open_database
from engine.outbox import Subscriber
from engine.runtime import Runtime
from engine.sessions import Timeouts
from engine.settings import Settings
from engine.staff_notices import NoticeSubscriber
from web import notice_mail, notices, notify_pages, pages
from web.admin.routes import routes as admin_routes
from web.api import accounts as api_accounts
from web.api import calendar as api_calendar
from web.api import channels as api_channels
from web.api import dossiers as api_dossiers
from web.api import notices as api_notices
from web.api import outbox as api_outbox
from web.api import procedures as api_procedures
from web.api import reports as api_reports
from web.api import search as api_search
from web.api.openapi import openapi
from web.auth import SessionOrToken
from web.citizen import account, apply, catalogue, registration, tracking, transparency
from web.designer.routes import routes as designer_routes
from web.errors import HANDLERS
from web.i18n import LanguageMiddleware
from web.idempotency import IdempotentCalls
from web.middleware import DatabaseGuard, PinnedReads, RequestLimits, SecurityHeaders
from web.sessions import ServerSessions
from web.staff import dossier as staff_dossier
from web.staff import files as staff_files
from web.staff import inbox, insight, intake, notifications, register, search, targets, task
from web.staff import reports as staff_reports
from web.staff import steps as staff_steps


class MissingSecretKey(RuntimeError):
    """The app would sign simulation tokens (and key its hashes) with a guessable key: refuse to start."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def with_secret(settings: Settings) -> Settings:
    """The settings with a secret key: the configured one, or (development mode only) a random one."""
    if settings.secret_key:
        return settings
    if not settings.dev:
        raise MissingSecretKey("MOTCUA_SECRET_KEY is not set: set it to a long random value (the `motcua` command "
                               "generates one into MOTCUA_DATA_DIR), or set MOTCUA_DEV=1 for development")
    return replace(settings, secret_key=secrets.token_urlsafe(48))  # signed links end with the process


async def health(request: Request) -> JSONResponse:
    await connection(request.app.state.settings.database_url).execute_query("SELECT 1")
    return JSONResponse({"status": "ok"})


def api_routes() -> list[Route]:
    return [
        Route("/health", health),
        Route("/openapi.json", openapi),
        Route("/auth/token", api_accounts.token, methods=["POST"]),
        Route("/me", api_accounts.me),
        Route("/procedures", api_procedures.list_procedures),
        Route("/procedures", api_procedures.create_procedure, methods=["POST"]),
        Route("/procedures/{code}", api_procedures.get_procedure),
        Route("/procedures/{code}/versions", api_procedures.publish_version, methods=["POST"]),
        Route("/procedures/{code}/versions/{number:int}/retire", api_procedures.retire_version, methods=["POST"]),
        Route("/procedures/{code}/migrate", api_procedures.migrate_dossiers, methods=["POST"]),
        Route("/dossiers", api_dossiers.submit, methods=["POST"]),
        Route("/dossiers", api_search.search),
        Route("/dossiers/{code}", api_dossiers.get_dossier),
        Route("/dossiers/{code}/{command}", api_dossiers.lifecycle_step, methods=["POST"]),
        Route("/tasks", api_dossiers.inbox),
        Route("/tasks/{task_id}", api_dossiers.get_task),
        Route("/tasks/{task_id}/claim", api_dossiers.claim, methods=["POST"]),
        Route("/tasks/{task_id}/release", api_dossiers.release, methods=["POST"]),
        Route("/tasks/{task_id}/complete", api_dossiers.complete, methods=["POST"]),
        *api_channels.routes(),
        *api_calendar.routes(),
        *api_outbox.routes(),
        Route("/sms/receipt", notify_pages.sms_receipt, methods=["POST"]),
        *api_notices.routes(),
        Route("/reports", api_reports.scorecard),
    ]


def session_timeouts(settings: Settings) -> Timeouts:
    return Timeouts(idle=timedelta(minutes=settings.session_idle_minutes),
                    absolute=timedelta(hours=settings.session_max_hours))


def max_request_bytes(settings: Settings) -> int:
    """Largest request body: an application with five documents of the largest size, plus its fields."""
    return max(settings.max_bpmn_bytes, 5 * settings.max_upload_bytes) + 1_000_000


def build_runtime(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Runtime:
    """The process's runtime (web and worker alike): the forms package checks posted data."""
    from web import formcheck

    subscribers: list[Subscriber] = [NoticeSubscriber()]  # in-app staff notices: always on
    if settings.webhook_url:
        from integrations.webhook import WebhookSubscriber

        subscribers.append(WebhookSubscriber(settings.webhook_url, settings.webhook_secret))
    if (notifier := notify_pages.subscriber(settings)) is not None:
        subscribers.append(notifier)
    if settings.portal_url:
        from integrations.portal import PortalClient, PortalSubscriber

        subscribers.append(PortalSubscriber(PortalClient(settings.portal_url, settings.portal_token,
                                                         settings.portal_timeout_seconds)))
    rt = Runtime.build(settings, clock=clock, form_check=formcheck.check, subscribers=subscribers)
    # the reporting projections (KPI facts) follow every dossier event, in every process
    rt.subscribe(report_facts.ReportsSubscriber(lambda: rt.calendars.value))
    return rt


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now,
               manage_database: bool = True, runtime: Runtime | None = None,
               deliver: verification.Deliver = verification.log_for_operator) -> Starlette:
    """The ASGI app. `manage_database=False` when the caller (a test) opened the database itself;
    `deliver` sends self-registration codes when MOTCUA_REGISTRATION=on.

    Raises MissingSecretKey without `settings.secret_key`, unless `settings.dev`."""
    settings = with_secret(settings)
    redaction.install()  # masks ID numbers, phones and e-mails in every log record of the process
    logging.getLogger("spiff").setLevel(logging.WARNING)  # INFO leaks task data (personal data) into logs
    logging.getLogger("motcua").setLevel(settings.log_level)
    logging.getLogger("asyncpg.pool").setLevel(logging.ERROR)  # a traceback per reconnect try

    rt = runtime or build_runtime(settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await open_database(settings)
        await rt.start()
        scheduler = None
        if settings.embedded_scheduler:
            from engine.scheduler import TimerScheduler

            scheduler = TimerScheduler(rt, clock=clock)
            notice_mail.schedule(scheduler, settings)  # the staff e-mail digests, as the worker does
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.aclose()
            if manage_database:
                await close_database()

    routes = [
        # first: Starlette tries routes in order (a regular expression each), and the API's calls come
        # most often; no page route matches a path under /api/v1 (tests/web/test_app_routes.py)
        Mount("/api/v1", routes=api_routes()),
        Route("/", catalogue.home),
        Route("/thu-tuc/{code}", catalogue.procedure_page),
        Route("/nop-ho-so/{code}", apply.apply, methods=["GET", "POST"]),
        Route("/nop-ho-so/{code}/xong/{dossier}", apply.confirmation),
        Route("/tra-cuu", tracking.form, methods=["GET", "POST"]),
        Route("/tra-cuu/{code}", tracking.status),
        Route("/tra-cuu/{code}/danh-gia", tracking.rate, methods=["POST"]),
        Route("/tra-cuu/{code}/bo-sung", tracking.supplement, methods=["POST"]),
        *admin_routes(),
        Route("/can-bo", inbox.inbox),
        Route("/can-bo/viec/{task_id}", task.task_page, methods=["GET", "POST"]),
        Route("/can-bo/viec/{task_id}/nhan", inbox.claim, methods=["POST"]),
        Route("/can-bo/viec/{task_id}/tra-lai", inbox.release, methods=["POST"]),
        Route("/can-bo/thong-bao", notifications.page),
        Route("/can-bo/thong-bao/da-doc-het", notifications.mark_all_read, methods=["POST"]),
        Route("/can-bo/thong-bao/{notice_id:int}/da-doc", notifications.mark_read, methods=["POST"]),
        Route("/can-bo/tiep-nhan", intake.choose),
        Route("/can-bo/tiep-nhan/{code}", intake.intake, methods=["GET", "POST"]),
        Route("/can-bo/ho-so/{code}", staff_dossier.page),
        Route("/quan-ly/ho-so", search.page),
        Route("/quan-ly/ho-so.csv", search.export_csv),
        Route("/bao-cao", staff_reports.page),
        Route("/bao-cao/ho-so", staff_reports.dossiers),
        Route("/bao-cao/muc-tieu", targets.page, methods=["GET"]),
        Route("/bao-cao/muc-tieu", targets.save, methods=["POST"]),
        Route("/bao-cao/quy-trinh/{code}", insight.heatmap),
        Route("/bao-cao/quy-trinh/{code}/so-do.bpmn", insight.heatmap_diagram),
        Route("/bao-cao/bieu-mau/{code}", insight.funnel),
        Route("/bao-cao.csv", staff_reports.export_csv),
        Route("/bao-cao.xlsx", staff_reports.export_xlsx),
        Route("/cong-khai", transparency.page),
        Route("/can-bo/ho-so/{code}/so-do.bpmn", staff_dossier.diagram),
        Route("/can-bo/ho-so/{code}/buoc/{command}", staff_steps.step_page, methods=["GET", "POST"]),
        Route("/ho-so/{code}/tep/{attachment_id}", staff_files.open_file),
        Route("/ho-so/{code}/mau-{form}.pdf", notices.form_pdf),  # 02, 03, 05 (before the page's pattern)
        Route("/ho-so/{code}/mau-{form}", notices.form_page),
        Route("/can-bo/ho-so/{code}/mau-06.pdf", notices.control_sheet_pdf),
        Route("/can-bo/ho-so/{code}/mau-06", notices.control_sheet),
        Route("/quan-ly/so-theo-doi.pdf", register.register_pdf),
        Route("/quan-ly/so-theo-doi.csv", register.register_csv),
        Route("/quan-ly/so-theo-doi.xlsx", register.register_xlsx),
        Route("/quan-ly/so-theo-doi", register.register_page),
        Route("/tai-khoan", account.page),
        Route("/tai-khoan/xuat-du-lieu", account.export, methods=["POST"]),
        Route("/dang-ky", registration.register, methods=["GET", "POST"]),
        Route("/dang-ky/xac-minh", registration.confirm, methods=["GET", "POST"]),
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/language", pages.set_language, methods=["POST"]),
        Route("/dossiers/{code}/receipt", notices.receipt),
        Route("/dossiers/{code}/apology", notices.apology),
        Route("/dossiers/{code}/{name}.pdf", notices.document_pdf),
        Route("/dev/mail", notify_pages.dev_mail),
        Mount("/designer", routes=designer_routes()),
        Mount("/static", app=StaticFiles(packages=[("designer", "static"), ("web", "static"), ("forms", "static")]),
              name="static"),
    ]
    middleware = [Middleware(SecurityHeaders, https_only=settings.https_only),  # type: ignore[arg-type]
                  Middleware(RequestLimits, max_body=max_request_bytes(settings)),  # type: ignore[arg-type]
                  Middleware(DatabaseGuard),  # type: ignore[arg-type]
                  Middleware(PinnedReads),  # type: ignore[arg-type]  # one pooled connection per request
                  Middleware(ServerSessions, clock=clock, https_only=settings.https_only,  # type: ignore[arg-type]
                             timeouts=session_timeouts(settings)),  # the `session` table (web/sessions.py)
                  Middleware(LanguageMiddleware, default=settings.language),  # dates and units of the page
                  Middleware(AuthenticationMiddleware, backend=SessionOrToken()),  # inside: it reads the session
                  Middleware(notifications.NoticeBadge),  # type: ignore[arg-type]  # inside: it needs the user
                  Middleware(IdempotentCalls)]  # type: ignore[arg-type]  # inside: it needs the user
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware,
                    exception_handlers=HANDLERS)  # type: ignore[arg-type]
    app.state.settings = settings
    app.state.clock = clock
    app.state.runtime = rt
    app.state.deliver = deliver
    return app
