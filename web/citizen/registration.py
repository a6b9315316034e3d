"""Citizen self-registration (until national VNeID sign-in exists): /dang-ky asks for a name, a phone
number or e-mail address and a password; /dang-ky/xac-minh takes the 6-digit code, creates the
account, signs the citizen in and returns to where they came from (engine/verification.py).

MOTCUA_REGISTRATION: `off` answers 404; `demo` shows the code on the verification page in a box
marked "Bản demo"; `on` hands it to the app's deliverer (`create_app(deliver=...)`).
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import throttle, verification
from engine.errors import InvalidData, NotFound, TooManyAttempts
from web.pages import check_csrf, client_address, render, safe_next, sign_in

SESSION_KEY = "registration"
CLIENT_RULE = throttle.Rule(10, timedelta(hours=1), timedelta(hours=1))  # per client address, any phone / e-mail


def N_(message: str) -> str:  # marks a string for the catalogue; translated in the template
    return message


#: the engine's refusal codes, worded for the citizen
MESSAGES = {
    "required": N_("Hãy nhập họ và tên."),
    "invalid_address": N_("Hãy nhập số điện thoại di động (10 chữ số, ví dụ 0912345678) hoặc địa chỉ thư điện tử."),
    "taken": N_("Số điện thoại hoặc thư điện tử này đã có tài khoản. Hãy đăng nhập."),
    "rate_limited": N_("Đã gửi quá nhiều mã xác minh. Hãy thử lại sau 15 phút."),
    "too_short": N_("Mật khẩu phải có ít nhất 8 ký tự."),
    "mismatch": N_("Hai lần nhập mật khẩu không giống nhau."),
    "wrong_code": N_("Mã xác minh không đúng."),
    "expired": N_("Mã xác minh đã hết hạn (mã chỉ dùng được trong 10 phút). Hãy đăng ký lại để nhận mã mới."),
    "too_many_attempts": N_("Đã nhập sai mã 5 lần. Hãy đăng ký lại để nhận mã mới."),
    "unknown": N_("Không có yêu cầu đăng ký nào đang chờ xác minh. Hãy đăng ký lại."),
}


async def _client_limited(request: Request) -> bool:
    """At most 10 registration requests per client address per hour (stored: every process shares it)."""
    address, now = client_address(request), request.app.state.clock()
    try:
        await throttle.check("registration", address, now)
    except TooManyAttempts:
        return True
    return await throttle.hit("registration", address, CLIENT_RULE, now)


def _mode(request: Request) -> str:
    mode = str(request.app.state.settings.registration)
    if mode == "off":
        raise NotFound("Self-registration is off")
    return mode


async def register(request: Request) -> Response:
    """GET/POST /dang-ky: the registration form; a valid one issues a code and goes to /dang-ky/xac-minh."""
    mode = _mode(request)
    if request.method == "GET":
        return render(request, "citizen/register.html", values={}, errors={}, demo=mode == "demo",
                      next_path=safe_next(request.query_params.get("next"), ""))
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")) for k in ("full_name", "address", "password", "password_confirm")}
    next_path = safe_next(form.get("next"), "")
    if await _client_limited(request):
        return render(request, "citizen/register.html", status=429, values=values, demo=mode == "demo",
                      errors={"address": MESSAGES["rate_limited"]}, next_path=next_path)
    deliver = verification.shown_on_page if mode == "demo" else request.app.state.deliver
    try:
        issued = await verification.start(values["full_name"], values["address"], values["password"],
                                          values["password_confirm"], now=request.app.state.clock(),
                                          deliver=deliver, pepper=request.app.state.settings.secret_key)
    except InvalidData as exc:
        fields = exc.params.get("fields", {})
        errors = {key: MESSAGES.get(problems[0], problems[0]) for key, problems in fields.items()}
        return render(request, "citizen/register.html", status=429 if exc.params.get("reason") == "rate_limited"
                      else 200, values=values, errors=errors, demo=mode == "demo", next_path=next_path)
    request.session[SESSION_KEY] = {"id": issued.id, "address": issued.address, "next": next_path,
                                    **({"demo_code": issued.code} if mode == "demo" else {})}
    return RedirectResponse("/dang-ky/xac-minh", status_code=303)


async def confirm(request: Request) -> Response:
    """GET/POST /dang-ky/xac-minh: enter the code; right = a citizen account, signed in."""
    _mode(request)
    waiting = request.session.get(SESSION_KEY) or {}
    if not waiting.get("id"):
        return RedirectResponse("/dang-ky", status_code=303)
    if request.method == "GET":
        return _confirm_page(request, waiting, error=None)
    form = await check_csrf(request)
    settings = request.app.state.settings
    try:
        user = await verification.verify(waiting["id"], str(form.get("code", "")), now=request.app.state.clock(),
                                         pepper=settings.secret_key)
    except InvalidData as exc:
        reason = str(exc.params.get("reason", "unknown"))
        return _confirm_page(request, waiting, error=MESSAGES.get(reason, MESSAGES["unknown"]),
                             remaining=exc.params.get("remaining"), start_again=reason != "wrong_code")
    sign_in(request, user)
    return RedirectResponse(safe_next(waiting.get("next"), "/"), status_code=303)


def _confirm_page(request: Request, waiting: dict[str, str], *, error: str | None, remaining: int | None = None,
                  start_again: bool = False) -> Response:
    again = "/dang-ky" + (f"?next={waiting['next']}" if waiting.get("next") else "")
    return render(request, "citizen/register_confirm.html", address=waiting.get("address", ""), error=error,
                  remaining=remaining, start_again=again if start_again else None,
                  restart_path=again, demo_code=waiting.get("demo_code"))
