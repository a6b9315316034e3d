"""Every setting Settings.from_environ() reads is documented in README.md; the OpenAPI document
matches the routes."""

from __future__ import annotations

from pathlib import Path

from engine.settings import VARIABLES, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in VARIABLES if f"`{name}`" not in readme]
    assert not missing, f"README.md does not document: {missing}"


def test_settings_are_read_from_the_given_environment_only() -> None:
    s = Settings.from_environ({"DATABASE_URL": "postgres://x@h/db", "PORT": "9000",
                               "MOTCUA_EMBEDDED_SCHEDULER": "1"})
    assert (s.database_url, s.port, s.embedded_scheduler) == ("postgres://x@h/db", 9000, True)
    assert Settings.from_environ({}).database_url == "sqlite://motcua-data/motcua.sqlite3"


def test_the_sqlite_database_defaults_to_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "donnees"
    assert Settings.from_environ({"MOTCUA_DATA_DIR": str(data)}).database_url == f"sqlite://{data}/motcua.sqlite3"
    # an empty DATABASE_URL is no database: the data dir's file again
    assert Settings.from_environ({"MOTCUA_DATA_DIR": str(data), "DATABASE_URL": ""}).database_url.endswith(
        "donnees/motcua.sqlite3")
    assert Settings.from_environ({"MOTCUA_DATA_DIR": str(data),
                                  "DATABASE_URL": "postgres://x@h/db"}).database_url == "postgres://x@h/db"


def test_openapi_document_lists_exactly_the_api_routes() -> None:
    from web.api.openapi import DOCUMENT
    from web.app import api_routes

    routed = {("/api/v1" + r.path.replace(":int", "")) for r in api_routes()}
    assert routed == set(DOCUMENT["paths"])
