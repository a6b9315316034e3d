"""The role x route matrix (SECURITY.md 1.2, V8.1.1/V8.2.1/V8.3.1; CS Authorization Testing Automation),
GENERATED from the app's route table: `create_app(...).routes` is walked (the /api/v1 and /designer
mounts included); a route/method the table below does not classify fails the test, so every new door
must be classified here.

Every cell is requested with realistic path parameters (citizen A's dossier in agency X, its open task
and stored document, the shipped birth-registration procedure, a real agency, reception point, user,
calendar override and channel policy), by each principal of tests/security/world.py:

* allowed cell  -> any answer but 401/403/404, a redirect to /login, or a 5xx (an allowed caller
  posting an empty body gets its 400/409/422: the door opened);
* refused cell  -> 401/403/404 (the API: 401 for anonymous), or for anonymous on a page a 303 to /login;
* never a 5xx.

GET cells are requested for every principal. State-changing cells (POST/PUT/DELETE) are requested for
the refused principals only, with the session's CSRF token so that the refusal is the door's, not
CSRF's: an allowed state change (logout, deactivating a user, claiming the task) would change the world
the other cells run in; the feature tests exercise those.

Runs on both databases (the `db` fixture): 125 route/method entries x 9 principals = 1,125 cells, 1,009
requested (the allowed state changes aside), about 20 s per database on this machine.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from starlette.routing import Mount, Route

from tests.security.world import PRINCIPALS, World, build

ALL = frozenset(PRINCIPALS)
SIGNED_IN = ALL - {"anonymous"}
CITIZENS = frozenset({"citizen_a", "citizen_b"})
OWNER = frozenset({"citizen_a"})
STAFF_X = frozenset({"one_stop", "specialist", "leader", "manager"})  # staff who may see agency X's dossiers
STAFF = STAFF_X | {"other_agency"}
ONE_STOP = frozenset({"one_stop", "manager", "other_agency"})  # hold the one_stop role (agency aside)
ADMIN = frozenset({"admin"})
REPORTERS = frozenset({"manager", "leader", "other_agency"})
NOBODY: frozenset[str] = frozenset()

#: route -> the principals it admits, per method ("GET /path" keys; path as in the route table)
MATRIX: dict[str, frozenset[str]] = {
    # citizen pages: public catalogue, applying (citizens), tracking (the owner, staff of the agency)
    "GET /": ALL,
    "GET /thu-tuc/{code}": ALL,
    "GET /nop-ho-so/{code}": CITIZENS | {"anonymous"},  # anonymous: a page telling why an account is needed
    "POST /nop-ho-so/{code}": CITIZENS,
    "GET /nop-ho-so/{code}/xong/{dossier}": OWNER,
    "GET /tra-cuu": ALL,
    "POST /tra-cuu": ALL,
    "GET /tra-cuu/{code}": OWNER | STAFF_X,
    "POST /tra-cuu/{code}/danh-gia": OWNER,
    "POST /tra-cuu/{code}/bo-sung": OWNER,
    "GET /dang-ky": NOBODY,  # self-registration is off unless MOTCUA_REGISTRATION=on: 404
    "POST /dang-ky": NOBODY,
    "GET /dang-ky/xac-minh": NOBODY,
    "POST /dang-ky/xac-minh": NOBODY,
    "GET /tai-khoan": CITIZENS,  # a citizen's own account page and data export
    "POST /tai-khoan/xuat-du-lieu": CITIZENS,
    "GET /login": ALL,
    "POST /login": ALL,
    "POST /logout": ALL,
    "POST /language": ALL,
    "GET /static/{path}": ALL,
    # documents of a dossier (owner and the agency's staff)
    "GET /dossiers/{code}/receipt": NOBODY,  # A's dossier is not accepted yet: 404 for everybody
    "GET /dossiers/{code}/apology": NOBODY,  # no extension: 404 for everybody
    "GET /ho-so/{code}/mau-{form}": NOBODY,  # Form 02: no supplement requested: 404 for everybody
    "GET /ho-so/{code}/mau-{form}.pdf": NOBODY,  # the same as PDF
    "GET /dossiers/{code}/{name}.pdf": NOBODY,  # the receipt as PDF: not accepted yet, 404 for everybody
    "GET /can-bo/ho-so/{code}/mau-06": NOBODY,  # the control sheet (staff): not accepted yet, 404
    "GET /can-bo/ho-so/{code}/mau-06.pdf": NOBODY,
    "GET /ho-so/{code}/tep/{attachment_id}": OWNER | STAFF_X,
    # staff pages
    "GET /can-bo": STAFF,
    "GET /can-bo/viec/{task_id}": ONE_STOP - {"other_agency"},
    "POST /can-bo/viec/{task_id}": ONE_STOP - {"other_agency"},
    "POST /can-bo/viec/{task_id}/nhan": ONE_STOP - {"other_agency"},
    "POST /can-bo/viec/{task_id}/tra-lai": ONE_STOP - {"other_agency"},
    "GET /can-bo/tiep-nhan": STAFF,  # the list of procedures (no personal data); posting needs one_stop
    "GET /can-bo/tiep-nhan/{code}": ONE_STOP,
    "POST /can-bo/tiep-nhan/{code}": ONE_STOP,
    "GET /can-bo/ho-so/{code}": STAFF_X,
    "GET /can-bo/ho-so/{code}/so-do.bpmn": STAFF_X,
    "GET /can-bo/ho-so/{code}/buoc/{command}": NOBODY,  # at intake no step is open: 403 (page says why)
    "POST /can-bo/ho-so/{code}/buoc/{command}": ONE_STOP - {"other_agency"},
    "GET /quan-ly/ho-so": STAFF,
    "GET /quan-ly/ho-so.csv": STAFF,
    # the reports: managers and leaders (other_agency holds the leader role: its own agency's figures)
    **{f"GET {p}": REPORTERS for p in ("/bao-cao", "/bao-cao/ho-so", "/bao-cao.csv", "/bao-cao.xlsx",
                                       "/api/v1/reports")},
    "GET /cong-khai": ALL,  # the public transparency page (rates per agency, no personal data)
    "GET /bao-cao/quy-trinh/{code}": REPORTERS,
    "GET /bao-cao/quy-trinh/{code}/so-do.bpmn": REPORTERS,
    "GET /bao-cao/bieu-mau/{code}": REPORTERS | ADMIN,  # counts only: the designer reads it too
    "GET /quan-ly/so-theo-doi": STAFF,  # the Form 07 register, within each one's agencies
    "GET /quan-ly/so-theo-doi.pdf": STAFF,
    "GET /quan-ly/so-theo-doi.csv": STAFF,
    "GET /quan-ly/so-theo-doi.xlsx": STAFF,
    "GET /bao-cao/muc-tieu": REPORTERS,  # the targets per indicator: leaders read them,
    "POST /bao-cao/muc-tieu": frozenset({"manager"}),  # a province-wide manager changes them
    # administration pages (admins only)
    **{f"{m} {p}": ADMIN for m, p in [
        ("GET", "/quan-tri"), ("GET", "/quan-tri/can-xu-ly"), ("GET", "/quan-tri/hang-doi"),
        ("POST", "/quan-tri/hang-doi/gui-lai"),
        ("GET", "/quan-tri/co-quan"), ("POST", "/quan-tri/co-quan"), ("GET", "/quan-tri/co-quan/{code}"),
        ("POST", "/quan-tri/co-quan/{code}"), ("POST", "/quan-tri/co-quan/{code}/trang-thai"),
        ("POST", "/quan-tri/diem-tiep-nhan"), ("GET", "/quan-tri/diem-tiep-nhan/{code}"),
        ("POST", "/quan-tri/diem-tiep-nhan/{code}"), ("POST", "/quan-tri/diem-tiep-nhan/{code}/trang-thai"),
        ("GET", "/quan-tri/nguoi-dung"), ("GET", "/quan-tri/nguoi-dung/moi"), ("POST", "/quan-tri/nguoi-dung/moi"),
        ("GET", "/quan-tri/nguoi-dung/{id:int}"), ("POST", "/quan-tri/nguoi-dung/{id:int}"),
        ("POST", "/quan-tri/nguoi-dung/{id:int}/khoa"), ("GET", "/quan-tri/lich"), ("POST", "/quan-tri/lich"),
        ("POST", "/quan-tri/lich/{id:int}/xoa"), ("GET", "/quan-tri/khong-giay"), ("POST", "/quan-tri/khong-giay"),
        ("POST", "/quan-tri/khong-giay/{id:int}/trang-thai"), ("POST", "/quan-tri/khong-giay/{id:int}/xoa"),
        ("GET", "/quan-tri/thong-bao"), ("GET", "/quan-tri/thong-bao/{kind}/{channel}/{language}"),
        ("POST", "/quan-tri/thong-bao/{kind}/{channel}/{language}")]},
    # citizen notifications: the demo mailbox exists only with MOTCUA_NOTIFY_CATCHER (404 here); the SMS
    # gateway's receipts need its signature (403 without MOTCUA_SMS_SECRET)
    "GET /dev/mail": NOBODY,
    "POST /api/v1/sms/receipt": NOBODY,
    # the designer (admins only)
    **{f"{m} /designer{p}": ADMIN for m, p in [
        ("GET", "/"), ("POST", "/"), ("GET", "/{code}"), ("POST", "/{code}/duplicate"), ("POST", "/{code}/draft"),
        ("POST", "/{code}/check"), ("POST", "/{code}/publish"), ("GET", "/{code}/export.bpmn"),
        ("POST", "/{code}/import"), ("GET", "/{code}/diff"), ("GET", "/{code}/metadata"),
        ("POST", "/{code}/metadata"), ("POST", "/{code}/forms"), ("GET", "/{code}/forms/{ref}"),
        ("POST", "/{code}/forms/{ref}"), ("POST", "/{code}/forms/{ref}/delete"),
        ("GET", "/{code}/forms/{ref}/preview"), ("POST", "/{code}/forms/{ref}/preview"), ("GET", "/{code}/simulate"),
        ("POST", "/{code}/simulate"), ("GET", "/{code}/lifecycle"), ("POST", "/{code}/lifecycle"),
        ("POST", "/{code}/migrate")]},
    # the API
    "GET /api/v1/health": ALL,
    "GET /api/v1/openapi.json": ALL,
    "POST /api/v1/auth/token": ALL,
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/procedures": ALL,
    "POST /api/v1/procedures": ADMIN,
    "GET /api/v1/procedures/{code}": ALL,
    "POST /api/v1/procedures/{code}/versions": ADMIN,
    "POST /api/v1/procedures/{code}/versions/{number:int}/retire": ADMIN,
    "POST /api/v1/procedures/{code}/migrate": ADMIN,
    "GET /api/v1/procedures/{code}/channel-policy": ALL,
    "POST /api/v1/dossiers": CITIZENS | STAFF,  # admins: no (least privilege)
    "GET /api/v1/dossiers": STAFF,
    "GET /api/v1/dossiers/{code}": OWNER | STAFF_X,
    "POST /api/v1/dossiers/{code}/{command}": OWNER | ONE_STOP - {"other_agency"},  # a citizen withdraws
    "GET /api/v1/tasks": STAFF,
    "GET /api/v1/tasks/{task_id}": ONE_STOP - {"other_agency"},
    "POST /api/v1/tasks/{task_id}/claim": ONE_STOP - {"other_agency"},
    "POST /api/v1/tasks/{task_id}/release": ONE_STOP - {"other_agency"},
    "POST /api/v1/tasks/{task_id}/complete": ONE_STOP - {"other_agency"},
    "GET /api/v1/channel-policies": ADMIN,
    "POST /api/v1/channel-policies": ADMIN,
    "GET /api/v1/channel-policies/{id:int}": ADMIN,
    "PUT /api/v1/channel-policies/{id:int}": ADMIN,
    "DELETE /api/v1/channel-policies/{id:int}": ADMIN,
    "GET /api/v1/calendar/due": ALL,
    "GET /api/v1/calendar/overrides": ADMIN,
    "POST /api/v1/calendar/overrides": ADMIN,
    "DELETE /api/v1/calendar/overrides/{id:int}": ADMIN,
    "GET /api/v1/outbox": ADMIN,
    "POST /api/v1/outbox/retry": ADMIN,
    # staff notices: every staff member (each sees only the notices of their roles and agencies)
    "GET /can-bo/thong-bao": STAFF,
    "POST /can-bo/thong-bao/da-doc-het": STAFF,
    "POST /can-bo/thong-bao/{notice_id:int}/da-doc": STAFF,
    "GET /api/v1/notices": STAFF,
    "POST /api/v1/notices/read-all": STAFF,
    "POST /api/v1/notices/{notice_id:int}/read": STAFF,
}


def route_table(routes: list[Any], prefix: str = "") -> list[str]:
    """Every "METHOD /path" of the app (HEAD aside), mounts walked."""
    found: list[str] = []
    for route in routes:
        if isinstance(route, Mount):
            if route.routes:
                found += route_table(list(route.routes), prefix + route.path)
            else:
                found.append(f"GET {prefix}{route.path}/{{path}}")
        elif isinstance(route, Route):
            found += [f"{m} {prefix}{route.path}" for m in sorted((route.methods or {"GET"}) - {"HEAD"})]
    return found


def concrete(path: str, w: World) -> str:
    """The template filled with the world's real objects."""
    dossier_pages = ("/tra-cuu/", "/can-bo/ho-so/", "/ho-so/", "/dossiers/", "/api/v1/dossiers/")
    code = ("X" if path.startswith("/quan-tri/co-quan") else "X-01" if path.startswith("/quan-tri/diem-tiep-nhan")
            else w.dossier if path.startswith(dossier_pages) else w.procedure)
    id_ = (w.citizen_a_id if "nguoi-dung" in path else w.override if "lich" in path or "overrides" in path
           else w.policy)
    command = "withdraw"  # a step the one-stop officer may take on a submitted dossier
    values = {"code": code, "dossier": w.dossier, "task_id": w.task, "attachment_id": w.attachment,
              "id:int": id_, "number:int": 1, "notice_id:int": 1, "ref": "intake", "command": command,
              "path": "web/diagram.js", "form": "02", "name": "receipt",
              "kind": "accepted", "channel": "sms", "language": "vi"}
    url = re.sub(r"\{([^}]+)\}", lambda m: str(values[m.group(1)]), path)
    if url.startswith("/api/v1/calendar/due"):
        url += f"?procedure={w.procedure}"
    return url


#: redirects that mean "refused": the login page; the inbox's "that task is gone for you" (PRG)
REFUSAL_REDIRECTS = ("/login", "/can-bo?msg=gone")


def answer_class(r: httpx.Response) -> str:
    if r.status_code >= 500:
        return f"ERROR {r.status_code}"
    location = r.headers.get("location", "")
    if r.status_code in (401, 403, 404) or (r.status_code == 303 and location.startswith(REFUSAL_REDIRECTS)):
        return "refused"
    return "allowed"


async def _request(client: httpx.AsyncClient, w: World, who: str, method: str, url: str) -> httpx.Response:
    client.cookies = httpx.Cookies(w.cookies[who])
    if url.startswith("/api/"):
        body: dict[str, Any] = {"json": {}} if method in ("POST", "PUT") else {}
        return await client.request(method, url, headers=w.headers[who], **body)
    data = {"data": {"csrf_token": w.csrf[who]}} if method == "POST" else {}
    return await client.request(method, url, **data)


async def test_every_route_is_classified_and_every_cell_answers_as_expected(client: httpx.AsyncClient) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    table = route_table(list(app.routes))
    unclassified = sorted(set(table) - set(MATRIX))
    assert not unclassified, f"routes missing from MATRIX (classify them): {unclassified}"
    assert not set(MATRIX) - set(table), f"MATRIX lists routes that no longer exist: {set(MATRIX) - set(table)}"
    w = await build(client)
    wrong: list[str] = []
    requested = 0
    for key in table:
        method, path = key.split(" ", 1)
        url = concrete(path, w)
        for who in PRINCIPALS:
            allowed = who in MATRIX[key]
            if method != "GET" and allowed:
                continue  # see the module docstring: allowed state changes are not replayed here
            last = await _request(client, w, who, method, url)
            got = answer_class(last)
            requested += 1
            expected = "allowed" if allowed else "refused"
            if got != expected:
                wrong.append(f"{who:12} {method:6} {url}: {got} ({last.status_code}), expected {expected}")
    assert not wrong, f"{len(wrong)} of {requested} cells differ:\n" + "\n".join(wrong)
    assert requested > 500  # every route x principal, not an empty walk
