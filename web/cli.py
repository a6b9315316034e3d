"""The `motcua` command: demo, serve, worker, migrate, load-procedures, purge, notices digest, portal
reconcile, reports rebuild, createuser."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from engine import accounts, agencies, procedures, redaction
from engine.db import database, migrate
from engine.errors import InvalidData, ModelInvalid
from engine.models import Agency, Procedure, ReceptionPoint, User
from engine.settings import Settings
from engine.workdays import LOCAL_TZ
from forms import check_schema

SHIPPED_PROCEDURES = Path(__file__).resolve().parents[1] / "bpmn" / "procedures"
DEMO_USERS = [
    # username, password, kind, roles, full name
    ("admin", "admin-demo-2026", "admin", [], "Quản trị viên"),
    ("motcua", "motcua-demo-2026", "staff", ["one_stop"], "Cán bộ một cửa"),
    ("chuyenvien", "chuyenvien-demo-2026", "staff", ["specialist"], "Chuyên viên xử lý"),
    ("lanhdao", "lanhdao-demo-2026", "staff", ["leader", "one_stop_head"], "Lãnh đạo"),  # escalations go to the head
    # a province-wide manager: every agency's dossiers, search and the /bao-cao reports
    ("quanly", "quanly-demo-2026", "manager", ["one_stop", "specialist", "leader"], "Quản lý"),
    ("congdan", "congdan-demo-2026", "citizen", [], "Nguyễn Văn An"),
]
#: the demo staff's e-mail addresses: their notice digests land in the demo mailbox /dev/mail
DEMO_EMAILS = {"motcua": "motcua@example.vn", "chuyenvien": "chuyenvien@example.vn",
               "lanhdao": "lanhdao@example.vn", "quanly": "quanly@example.vn"}


#: the demo province: its committee, its public-administration centre with two reception points, two communes
DEMO_AGENCIES = [
    # code, name, tier, kind, commune type, parent, reception points (code, name, address)
    ("000.00.00.H00", "Ủy ban nhân dân tỉnh", "province", "province_committee", "", "", []),
    ("000.00.22.H00", "Trung tâm Phục vụ hành chính công tỉnh", "province", "centre", "", "000.00.00.H00",
     [("TTHC-1", "Trung tâm Phục vụ hành chính công tỉnh — trụ sở chính", "Số 1 đường Trần Phú"),
      ("TTHC-2", "Trung tâm Phục vụ hành chính công tỉnh — chi nhánh số 2", "Số 25 đường Lê Lợi")]),
    ("000.01.01.H00", "Ủy ban nhân dân xã Đông Anh", "commune", "commune_committee", "xa", "000.00.00.H00",
     [("XA-DONGANH", "Bộ phận Một cửa xã Đông Anh", "Thôn Đông, xã Đông Anh")]),
    ("000.01.02.H00", "Ủy ban nhân dân phường Ba Đình", "commune", "commune_committee", "phuong", "000.00.00.H00",
     [("PHUONG-BADINH", "Bộ phận Một cửa phường Ba Đình", "Số 2 phố Đội Cấn")]),
]


#: the demo agency that handles a shipped procedure (by code). The shipped procedures name the level that
#: handles them ("… cấp xã"): the birth registration keeps it, so its online applicant chooses the commune
#: (engine.agencies.receiving_choices); the household business shows the other way, a procedure that
#: names the one agency which handles it (designer, catalogue).
DEMO_HANDLERS = {"2.000720": "000.01.02.H00"}


async def seed_demo_agencies() -> None:
    for code, name, tier, kind, commune_type, parent, points in DEMO_AGENCIES:
        if not await Agency.filter(code=code).exists():
            await agencies.save_agency({"code": code, "name": name, "tier": tier, "kind": kind,
                                        "commune_type": commune_type, "parent_code": parent})
        for point, point_name, address in points:
            if not await ReceptionPoint.filter(code=point).exists():
                await agencies.save_point({"code": point, "name": point_name, "address": address,
                                           "agency_code": code})
    names = dict(await Agency.filter(code__in=list(DEMO_HANDLERS.values())).values_list("code", "name"))
    for procedure, code in DEMO_HANDLERS.items():
        await Procedure.filter(code=procedure).update(agency=names[code])
    await agencies.place_unplaced()


def _settings_with_secret(settings: Settings) -> Settings:
    if settings.secret_key:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    from dataclasses import replace

    return replace(settings, secret_key=path.read_text().strip())


def procedure_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if (p / "procedure.toml").exists())


async def load_procedures(settings: Settings, folder: Path) -> list[str]:
    loaded = []
    async with database(settings):
        await accounts.ensure_roles()
        for sub in procedure_folders(folder):
            try:
                version = await procedures.load_from_folder(sub, check_form=check_schema)
            except ModelInvalid as exc:
                for problem in exc.problems:
                    print(f"{sub.name}: {problem.as_dict()}", file=sys.stderr)
                raise SystemExit(f"{sub.name}: the model was refused") from None
            loaded.append(f"{sub.name} v{version.number}")
    return loaded


async def _demo_setup(settings: Settings) -> list[str]:
    """Migrate, publish the shipped procedures, create the demo accounts: the procedures loaded."""
    await migrate(settings)
    loaded = await load_procedures(settings, SHIPPED_PROCEDURES)
    async with database(settings):
        await seed_demo_agencies()
        for username, password, kind, roles, name in DEMO_USERS:
            email = DEMO_EMAILS.get(username, "")
            found = await User.get_or_none(username=username)
            if found is None:
                await accounts.create_user(username, password, kind, roles=roles, full_name=name, email=email)
            elif email and not found.email:  # a demo database made before accounts had addresses
                await accounts.update_user(found.id, full_name=found.full_name, kind=found.kind,
                                           roles=found.roles, agency=found.agency, email=email)
    return loaded


def demo_banner(settings: Settings, loaded: list[str]) -> str:
    """What a newcomer needs first: the address to open and the accounts to sign in with."""
    url = f"http://{settings.host}:{settings.port}/"
    lines = [f"Motcua demo: open {url} in a browser (Ctrl+C stops it)",
             f"Sign in at {url}login with a demo account (demo only, never for real use):"]
    lines += [f"  {kind:8} {username:12} password: {password:22} roles: {', '.join(roles) or '-'}"
              for username, password, kind, roles, _name in DEMO_USERS]
    lines += [f"Citizens may also create an account at {url}dang-ky (the demo shows the verification code).",
              f"Staff inbox {url}can-bo · reports {url}bao-cao (lanhdao, quanly) · public figures {url}cong-khai",
              f"Designer {url}designer · API {url}api/v1/openapi.json",
              f"E-mail and SMS to citizens and the staff's notice digests are not sent: read them at {url}dev/mail",
              f"Database {settings.database_url} · procedures loaded: {', '.join(loaded) or '-'}", ""]
    return "\n".join(lines)


def serve(settings: Settings) -> None:
    import uvicorn

    from engine.attachments import sweep_partial
    from web.app import create_app

    removed = sweep_partial(settings.data_dir / "uploads")  # part files of a process killed mid-write
    if removed:
        print(f"motcua serve: removed {removed} partial upload file(s) left by a killed process", flush=True)
    # proxy headers only from MOTCUA_TRUSTED_PROXIES (uvicorn's default trusts 127.0.0.1)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=bool(settings.trusted_proxies), forwarded_allow_ips=settings.trusted_proxies or "")


async def _worker(settings: Settings) -> None:
    """Fire timers until SIGTERM/SIGINT, then finish the batch in progress and close the database."""
    import signal

    from engine.scheduler import TimerScheduler
    from web import notice_mail
    from web.app import build_runtime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    async with database(settings):
        rt = build_runtime(settings)
        await rt.start()  # the calendar follows the web process's changes by its revision
        scheduler = TimerScheduler(rt)
        notice_mail.schedule(scheduler, settings)  # staff e-mail digests: daily 07:30, escalations at once
        scheduler.start()
        print("motcua worker: firing timers and delivering events; Ctrl+C to stop", flush=True)
        try:
            await stop.wait()
        finally:
            await scheduler.aclose()
    print("motcua worker: stopped", flush=True)


async def _purge(settings: Settings, apply: bool) -> None:
    """Personal data past the retention period: listed (--dry-run) or removed (--apply)."""
    from engine import retention
    from web.app import build_runtime

    async with database(settings):
        rt = build_runtime(settings)
        await rt.start()
        report = await retention.purge(rt, rt.clock(), apply=apply)
    for code in report.due:
        print(f"{'purged' if code in report.purged else 'skipped' if code in report.skipped else 'due'}: {code}")
    print(f"{len(report.due)} dossier(s) past retention; {len(report.purged)} purged, "
          f"{report.drafts} abandoned draft(s){' deleted' if apply else ''}, "
          f"{report.files_deleted} file(s) deleted{'' if apply else ' (dry run: nothing changed)'}")


async def _digest(settings: Settings) -> None:
    """Every staff member's digest of new unread notices, e-mailed (web/notice_mail.py); what was done printed."""
    from web import notice_mail

    async with database(settings):
        try:
            run = await notice_mail.by_email(settings)
        except notice_mail.NoMailer as exc:
            raise SystemExit(f"motcua notices digest: {exc}") from None
    print(notice_mail.report(run), flush=True)
    if run.failed:
        raise SystemExit(1)


async def _portal_reconcile(settings: Settings, start: str, end: str) -> None:
    """Local vs portal counts per day of submission; what is missing re-sent through the outbox."""
    from datetime import date

    from engine import portal_sync
    from integrations.portal import PortalClient

    if not settings.portal_url:
        raise SystemExit("MOTCUA_PORTAL_URL is not set: there is no portal to reconcile with")
    today = datetime.now(UTC).astimezone(ZoneInfo(LOCAL_TZ)).date()
    try:
        first, last = date.fromisoformat(start) if start else today, date.fromisoformat(end) if end else today
    except ValueError as exc:
        raise SystemExit(f"--from/--to must be dates YYYY-MM-DD: {exc}") from None
    if last < first or (last - first).days > 366:
        raise SystemExit("--to must be on or after --from, at most 366 days later")
    import aiohttp

    from integrations.portal import PortalError

    client = PortalClient(settings.portal_url, settings.portal_token, settings.portal_timeout_seconds)
    try:
        async with database(settings):
            days = await portal_sync.reconcile(client.counts, first, last, datetime.now(UTC))
    except (PortalError, aiohttp.ClientError, TimeoutError) as exc:  # nothing was re-sent: the counts come first
        raise SystemExit(f"the portal could not be asked for its counts: {type(exc).__name__}: {exc}") from None
    finally:
        await client.aclose()
    print(f"{'day':10}  {'local':>7}  {'acked':>7}  {'portal':>7}  {'resent':>7}")
    for d in days:
        print(f"{d.day.strftime('%d/%m/%Y')}  {d.local:7}  {d.acknowledged:7}  {d.remote:7}  {len(d.resent):7}")
    resent = [code for d in days for code in d.resent]
    for code in resent:
        print(f"resent: {code}")
    print(f"{len(resent)} dossier(s) re-sent through the outbox (the worker delivers them)")


async def _reports_rebuild(settings: Settings) -> None:
    """Recompute the reporting projections (KPI facts) from the event log."""
    from engine import report_facts
    from web.app import build_runtime

    async with database(settings):
        rt = build_runtime(settings)
        await rt.start()
        count = await report_facts.rebuild(rt.calendars.value)
    print(f"reporting projections rebuilt: {count} dossier(s)")


async def _createuser(settings: Settings, args: argparse.Namespace) -> None:
    password = args.password or getpass.getpass("Password: ")
    async with database(settings):
        await accounts.ensure_roles()
        try:
            user = await accounts.create_user(args.username, password, args.kind, roles=args.role or [],
                                              full_name=args.full_name or "", agency=args.agency or "",
                                              email=args.email or "")
        except InvalidData as exc:
            raise SystemExit(f"refused: {exc.params.get('fields')}") from None
    print(f"created {user.kind} {user.username}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="motcua", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="migrate, load shipped procedures, create demo users, serve on :8000")
    sub.add_parser("serve", help="serve the web app and API")
    sub.add_parser("worker", help="run the timer scheduler")
    sub.add_parser("migrate", help="apply database migrations")
    lp = sub.add_parser("load-procedures", help="publish every procedure folder in DIR")
    lp.add_argument("dir", type=Path)
    pp = sub.add_parser("purge", help="remove personal data past the retention period (keeps the register)")
    mode = pp.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="list the dossiers, change nothing")
    mode.add_argument("--apply", action="store_true", help="purge them (one transaction per dossier)")
    np = sub.add_parser("notices", help="staff notices: `digest` e-mails each staff member's new unread notices")
    np.add_argument("action", choices=["digest"])
    po = sub.add_parser("portal", help="national public-service portal sync")
    po_sub = po.add_subparsers(dest="portal_command", required=True)
    rc = po_sub.add_parser("reconcile", help="compare local and portal counts per day; re-send what is missing")
    rc.add_argument("--from", dest="start", default="", help="first day YYYY-MM-DD (default: today)")
    rc.add_argument("--to", dest="end", default="", help="last day YYYY-MM-DD (default: --from or today)")
    rp = sub.add_parser("reports", help="reporting projections (Decision 766 indicators)")
    rp.add_argument("action", choices=["rebuild"], help="rebuild: recompute them from the event log")
    cu = sub.add_parser("createuser", help="create a user")
    cu.add_argument("username")
    cu.add_argument("--kind", choices=["admin", "staff", "manager", "citizen"], required=True)
    cu.add_argument("--role", action="append", help="role code (repeatable), for staff")
    cu.add_argument("--password", help="prompted when omitted")
    cu.add_argument("--full-name")
    cu.add_argument("--agency")
    cu.add_argument("--email", help="where the staff notice digests go (optional)")
    args = parser.parse_args(argv)
    redaction.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # INFO puts task data (personal data) in logs
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("tortoise").setLevel(logging.WARNING)  # "Tortoise-ORM shutdown" after every command
    settings = _settings_with_secret(Settings.from_environ())
    if args.command == "demo":
        from dataclasses import replace

        loaded = asyncio.run(_demo_setup(settings))
        print(demo_banner(settings, loaded), flush=True)
        serve(replace(settings, embedded_scheduler=True, registration="demo", notify_catcher=True))
    elif args.command == "serve":
        serve(settings)
    elif args.command == "worker":
        asyncio.run(_worker(settings))
    elif args.command == "migrate":
        asyncio.run(migrate(settings))
        print("migrations applied")
    elif args.command == "load-procedures":
        asyncio.run(migrate(settings))
        for line in asyncio.run(load_procedures(settings, args.dir)):
            print(f"procedure loaded: {line}")
    elif args.command == "purge":
        asyncio.run(_purge(settings, args.apply))
    elif args.command == "notices":
        asyncio.run(_digest(settings))
    elif args.command == "portal":
        asyncio.run(_portal_reconcile(settings, args.start, args.end or args.start))
    elif args.command == "reports":
        asyncio.run(_reports_rebuild(settings))
    elif args.command == "createuser":
        asyncio.run(_createuser(settings, args))


if __name__ == "__main__":
    main()
