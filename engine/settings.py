"""Settings.from_environ(): the only place that reads os.environ.

Every variable is documented in README.md (a test checks this).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: name -> (default, help). README's settings table must list every key.
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": ("", "Database: sqlite://PATH or postgres://user@host:port/db; empty = the SQLite file "
                         "motcua.sqlite3 inside MOTCUA_DATA_DIR"),
    "MOTCUA_SECRET_KEY": ("", "Secret for signed tokens and keyed hashes; required by the app (the `motcua` "
                              "command generates one into the data dir when empty)"),
    "MOTCUA_DEV": ("0", "1 = development mode: the app starts without MOTCUA_SECRET_KEY (random per process)"),
    "MOTCUA_HTTPS_ONLY": ("0", "1 = the site is served over HTTPS: the session cookie is __Host-motcua_session "
                               "with Secure, and HSTS is sent (set it behind TLS; 0 keeps plain http usable)"),
    "MOTCUA_SESSION_IDLE_MINUTES": ("30", "A page session unused for this many minutes ends (sign in again)"),
    "MOTCUA_SESSION_MAX_HOURS": ("12", "A page session ends this many hours after sign-in, however active"),
    "MOTCUA_DATA_DIR": ("./motcua-data", "Folder for the SQLite database, uploads and the generated secret"),
    "MOTCUA_AGENCY_CODE": ("000.00.00.H00", "Code prefix of a dossier placed with no agency (else its agency's code)"),
    "MOTCUA_TOKEN_TTL_HOURS": ("12", "Lifetime of API bearer tokens, in hours"),
    "MOTCUA_MAX_BPMN_BYTES": ("2000000", "Largest accepted BPMN upload, in bytes"),
    "MOTCUA_MAX_UPLOAD_BYTES": ("10000000", "Largest accepted uploaded document (PDF, JPEG or PNG), in bytes"),
    "MOTCUA_EMBEDDED_SCHEDULER": ("0", "1 = run the timer scheduler inside the web process (set by `motcua demo`)"),
    "MOTCUA_LOG_LEVEL": ("INFO", "Log level of Motcua's own loggers (SpiffWorkflow's stays at WARNING)"),
    "MOTCUA_LANGUAGE": ("vi", "Default UI language: vi or en"),
    "MOTCUA_OFFICE_HOURS": ("07:00-11:30,13:30-17:00",
                            "The province's office sessions (local time); 1 working day = their total"),
    "MOTCUA_APOLOGY_LEAD_DAYS": ("2", "Working days before a dossier's due when the apology / re-appointment "
                                      "task opens; at least 1 (ND118 art. 19.6: re-appoint >= 1 working day before)"),
    "MOTCUA_LEASE_SECONDS": ("60", "How long a worker may hold a claimed timer or outbox delivery before "
                                   "another worker takes it over (a crashed worker's claims come back after this)"),
    "MOTCUA_WEBHOOK_URL": ("", "When set, every dossier event is POSTed there as JSON by the worker (outbox "
                               "subscriber 'webhook': at least once, in order per dossier, Idempotency-Key header)"),
    "MOTCUA_WEBHOOK_SECRET": ("", "Key of the webhook's X-Motcua-Signature header (hex HMAC-SHA256 of the body)"),
    "MOTCUA_REGISTRATION": ("", "Citizen self-registration at /dang-ky: off, demo (the verification code is shown "
                                "on the page) or on (sent by the verification deliverer); empty = demo when "
                                "MOTCUA_DEV=1, else off"),
    "MOTCUA_TRUSTED_PROXIES": ("", "Comma-separated addresses of the reverse proxies whose X-Forwarded-For / "
                                   "X-Forwarded-Proto are believed (empty: none; the client address is the peer's)"),
    "MOTCUA_RETENTION_YEARS": ("5", "Years a dossier's personal data is kept after the dossier ended, for procedures "
                                    "that set no retention period of their own (`motcua purge`, the worker's daily "
                                    "job)"),
    "HOST": ("127.0.0.1", "Address `motcua serve` binds to"),
    "PORT": ("8000", "Port `motcua serve` listens on"),
    # PDF forms (ND118 Forms 01-07): the QR code printed on each form links here
    "MOTCUA_PUBLIC_URL": ("", "The site's public address (e.g. https://motcua.example.gov.vn) for links printed "
                              "on documents and sent in e-mails; empty = the address of the request (outside a "
                              "request: http://HOST:PORT)"),
    # citizen notifications by e-mail and SMS (integrations/notify.py)
    "MOTCUA_SMTP_HOST": ("", "SMTP server of the e-mail notifications; empty = no e-mail (unless the catcher is on)"),
    "MOTCUA_SMTP_PORT": ("587", "SMTP port"),
    "MOTCUA_SMTP_USER": ("", "SMTP login (empty = no authentication)"),
    "MOTCUA_SMTP_PASSWORD": ("", "SMTP password"),
    "MOTCUA_SMTP_STARTTLS": ("1", "1 = upgrade the SMTP connection with STARTTLS (0 for a local relay only)"),
    "MOTCUA_SMTP_FROM": ("motcua@localhost", "Sender address of the e-mail notifications"),
    "MOTCUA_SMS_URL": ("", "HTTP SMS gateway: messages are POSTed there as JSON {to, text, ref, encoding, parts}; "
                           "empty = no SMS (unless the catcher is on)"),
    "MOTCUA_SMS_KEY": ("", "API key of the SMS gateway (Authorization: Bearer)"),
    "MOTCUA_SMS_SECRET": ("", "Shared secret of the SMS gateway: X-Motcua-Signature (hex HMAC-SHA256) of what we send "
                              "and of the delivery receipts it POSTs to /api/v1/sms/receipt"),
    "MOTCUA_NOTIFY_CATCHER": ("", "1 = keep e-mail and SMS in the database and show them at /dev/mail instead of "
                                  "sending (set by `motcua demo`); empty = on when MOTCUA_DEV=1"),
    # national public-service portal sync (integrations/portal.py)
    "MOTCUA_PORTAL_URL": ("", "Base URL of the national public-service portal's dossier API; when set, every dossier "
                              "and status change is synced there by the worker (outbox subscriber 'portal')"),
    "MOTCUA_PORTAL_TOKEN": ("", "Credential sent to the portal as `Authorization: Bearer …` (empty: none)"),
    "MOTCUA_PORTAL_TIMEOUT_SECONDS": ("10", "How long a portal call may take before it counts as failed (retried "
                                            "by the outbox with backoff)"),
}


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://./motcua-data/motcua.sqlite3"
    secret_key: str = ""
    dev: bool = False
    https_only: bool = False
    session_idle_minutes: float = 30.0
    session_max_hours: float = 12.0
    data_dir: Path = Path("./motcua-data")
    agency_code: str = VARIABLES["MOTCUA_AGENCY_CODE"][0]
    token_ttl_hours: float = 12.0
    max_bpmn_bytes: int = 2_000_000
    max_upload_bytes: int = 10_000_000
    embedded_scheduler: bool = False
    log_level: str = "INFO"
    language: str = "vi"
    office_hours: str = VARIABLES["MOTCUA_OFFICE_HOURS"][0]
    apology_lead_days: float = 2.0
    lease_seconds: float = 60.0
    webhook_url: str = ""
    webhook_secret: str = ""
    registration: str = "off"
    trusted_proxies: str = ""
    retention_years: int = 5
    host: str = "127.0.0.1"
    port: int = 8000
    # PDF forms (ND118 Forms 01-07)
    public_url: str = ""
    # national public-service portal sync (integrations/portal.py)
    portal_url: str = ""
    portal_token: str = ""
    portal_timeout_seconds: float = 10.0
    extra: dict[str, str] = field(default_factory=dict)
    # citizen notifications by e-mail and SMS (integrations/notify.py)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: str = "motcua@localhost"
    sms_url: str = ""
    sms_key: str = ""
    sms_secret: str = ""
    notify_catcher: bool = False

    @property
    def base_url(self) -> str:
        """Where citizens reach the site (links in messages)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, VARIABLES[name][0])

        data_dir = Path(get("MOTCUA_DATA_DIR"))
        dev = get("MOTCUA_DEV") in ("1", "true", "yes")
        return cls(
            database_url=get("DATABASE_URL") or default_database_url(data_dir),
            secret_key=get("MOTCUA_SECRET_KEY"),
            dev=dev,
            https_only=get("MOTCUA_HTTPS_ONLY") in ("1", "true", "yes"),
            session_idle_minutes=_positive(get("MOTCUA_SESSION_IDLE_MINUTES"), "MOTCUA_SESSION_IDLE_MINUTES"),
            session_max_hours=_positive(get("MOTCUA_SESSION_MAX_HOURS"), "MOTCUA_SESSION_MAX_HOURS"),
            data_dir=data_dir,
            agency_code=get("MOTCUA_AGENCY_CODE"),
            token_ttl_hours=float(get("MOTCUA_TOKEN_TTL_HOURS")),
            max_bpmn_bytes=int(get("MOTCUA_MAX_BPMN_BYTES")),
            max_upload_bytes=int(get("MOTCUA_MAX_UPLOAD_BYTES")),
            embedded_scheduler=get("MOTCUA_EMBEDDED_SCHEDULER") in ("1", "true", "yes"),
            log_level=get("MOTCUA_LOG_LEVEL").upper(),
            language=get("MOTCUA_LANGUAGE"),
            office_hours=get("MOTCUA_OFFICE_HOURS"),
            apology_lead_days=_at_least_one(get("MOTCUA_APOLOGY_LEAD_DAYS"), "MOTCUA_APOLOGY_LEAD_DAYS"),
            lease_seconds=_positive(get("MOTCUA_LEASE_SECONDS"), "MOTCUA_LEASE_SECONDS"),
            webhook_url=get("MOTCUA_WEBHOOK_URL"),
            webhook_secret=get("MOTCUA_WEBHOOK_SECRET"),
            registration=_registration(get("MOTCUA_REGISTRATION"), dev),
            trusted_proxies=get("MOTCUA_TRUSTED_PROXIES"),
            retention_years=_retention_years(get("MOTCUA_RETENTION_YEARS")),
            host=get("HOST"),
            port=int(get("PORT")),
            # PDF forms (ND118 Forms 01-07)
            public_url=get("MOTCUA_PUBLIC_URL").strip().rstrip("/"),
            # citizen notifications by e-mail and SMS (integrations/notify.py)
            smtp_host=get("MOTCUA_SMTP_HOST"),
            smtp_port=int(get("MOTCUA_SMTP_PORT")),
            smtp_user=get("MOTCUA_SMTP_USER"),
            smtp_password=get("MOTCUA_SMTP_PASSWORD"),
            smtp_starttls=get("MOTCUA_SMTP_STARTTLS") in ("1", "true", "yes"),
            smtp_from=get("MOTCUA_SMTP_FROM"),
            sms_url=get("MOTCUA_SMS_URL"),
            sms_key=get("MOTCUA_SMS_KEY"),
            sms_secret=get("MOTCUA_SMS_SECRET"),
            notify_catcher=(get("MOTCUA_NOTIFY_CATCHER") or ("1" if dev else "0")) in ("1", "true", "yes"),
            portal_url=get("MOTCUA_PORTAL_URL"),
            portal_token=get("MOTCUA_PORTAL_TOKEN"),
            portal_timeout_seconds=_positive(get("MOTCUA_PORTAL_TIMEOUT_SECONDS"), "MOTCUA_PORTAL_TIMEOUT_SECONDS"),
        )


def default_database_url(data_dir: Path) -> str:
    """Without DATABASE_URL the SQLite database lives in the data dir, beside uploads and the secret."""
    return f"sqlite://{data_dir / 'motcua.sqlite3'}"


REGISTRATION_MODES = ("off", "demo", "on")


def _registration(text: str, dev: bool) -> str:
    mode = text.strip().lower() or ("demo" if dev else "off")
    if mode not in REGISTRATION_MODES:
        raise ValueError(f"MOTCUA_REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}, got {text!r}")
    return mode


def _at_least_one(text: str, name: str) -> float:
    value = float(text)
    if not value >= 1:  # also refuses NaN
        raise ValueError(f"{name} must be a number of working days >= 1, got {text!r}")
    return value


def _positive(text: str, name: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number, got {text!r}")
    return value


def _retention_years(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        raise ValueError(f"MOTCUA_RETENTION_YEARS must be a whole number of years from 1 to 100, got {text!r}")
    return value
