"""The migrations in engine/migrations describe exactly the current models."""

from __future__ import annotations

from tortoise.cli.cli import tortoise_cli_context
from tortoise.migrations.autodetector import MigrationAutodetector

from engine.db import tortoise_config


async def test_models_have_no_changes_missing_from_the_migrations() -> None:
    config = tortoise_config("sqlite://:memory:")
    async with tortoise_cli_context(config) as ctx:
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert not writers, "models changed: run `tortoise -c engine.db.TORTOISE_ORM makemigrations`"
