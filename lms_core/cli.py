"""The ``lms`` command: set up, migrate, import, and serve."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Awaitable, Callable

import click
from tortoise import Tortoise

from lms_core.db import tortoise_config
from lms_core.plugins import PluginError, PluginManager
from lms_core.settings import Settings


class Env:
    def __init__(self) -> None:
        self.settings = Settings.from_env()
        try:
            self.plugins = PluginManager(self.settings.disabled_plugins).load()
        except PluginError as exc:
            raise click.ClickException(str(exc)) from None

    @property
    def config(self) -> dict[str, Any]:
        return tortoise_config(self.settings.database_url, self.plugins.registry.model_apps)

    def run(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        async def wrapped() -> Any:
            await Tortoise.init(config=self.config)
            try:
                return await fn()
            finally:
                await Tortoise.close_connections()

        return asyncio.run(wrapped())


@click.group()
def main() -> None:
    """Blended-learning LMS for civil-service training."""


async def run_migrations(config: dict[str, Any], echo: Callable[[str], None] | None = None) -> None:
    from tortoise.migrations.api import migrate as migrate_api

    def progress(event: str, app_label: str, name: str) -> None:
        if echo and event.endswith("start"):
            echo(f"  {app_label}.{name}")

    await migrate_api(config=config, progress=progress)
    await Tortoise.close_connections()
    from lms_core.sqlite_indexes import restore_sqlite_indexes

    await restore_sqlite_indexes(config)


@main.command()
def migrate() -> None:
    """Apply the migrations of the core and of every installed plugin."""
    env = Env()
    click.echo(f"Migrating {env.settings.database_url.split('?')[0]}")
    asyncio.run(run_migrations(env.config, click.echo))
    click.echo("Done.")


async def make_migrations(config: dict[str, Any], labels: tuple[str, ...],
                          name: str | None) -> list[str]:
    """Detect model changes with every app loaded (a plugin's foreign keys point into the core's
    app, which Tortoise's own CLI drops when given a label), then write only the asked-for apps."""
    from tortoise.cli.cli import _ensure_migrations_package, tortoise_cli_context
    from tortoise.migrations.autodetector import MigrationAutodetector
    from tortoise.migrations.writer import format_migration_name

    unknown = set(labels) - set(config["apps"])
    if unknown:
        raise click.ClickException(f"unknown app label(s): {', '.join(sorted(unknown))}")
    for label in labels or tuple(config["apps"]):
        module, _ = _ensure_migrations_package(label, config["apps"][label])
        config["apps"][label]["migrations"] = module
    async with tortoise_cli_context(config) as ctx:
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    written = []
    for writer in writers:
        if labels and writer.app_label not in labels:
            continue
        if name:
            number = int(writer.name.split("_", 1)[0]) if writer.name[:1].isdigit() else 1
            writer.name = format_migration_name(number, name)
        written.append(f"{writer.app_label}.{writer.name}: {writer.write()}")
    return written


@main.command()
@click.argument("app_labels", nargs=-1)
@click.option("--name", "-n", default=None, help="Name of the new migration")
def makemigrations(app_labels: tuple[str, ...], name: str | None) -> None:
    """Write new migrations from model changes (developers); APP_LABELS limit what is written."""
    env = Env()
    written = asyncio.run(make_migrations(env.config, app_labels, name))
    for line in written:
        click.echo(f"Created {line}")
    if not written:
        click.echo("No changes detected.")


@main.command()
@click.option("--code", default="demo", show_default=True)
@click.option("--name", default="Trường Chính trị (demo)", show_default=True)
def init(code: str, name: str) -> None:
    """Migrate and create the first institution."""
    env = Env()
    asyncio.run(run_migrations(env.config))

    async def go() -> None:
        from lms_core.models import Institution

        inst, created = await Institution.get_or_create(code=code, defaults={"name": name})
        click.echo(f"Institution {inst.code} ({inst.name}) {'created' if created else 'exists'}.")

    env.run(go)


@main.command()
@click.option("--login", required=True)
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--institution", "institution_code", default="demo", show_default=True)
@click.password_option()
def createadmin(login: str, email: str, full_name: str, institution_code: str,
                password: str) -> None:
    """Create an institution administrator."""
    env = Env()

    async def go() -> None:
        from lms_core.http.problems import Problem
        from lms_core.models import Institution
        from lms_core.services.users import create_user

        inst = await Institution.get_or_none(code=institution_code)
        if inst is None:
            raise click.ClickException(f"no institution {institution_code!r}; run `lms init`")
        try:
            user = await create_user(env.plugins, inst.id, login=login, email=email,
                                     full_name=full_name, password=password, roles=["admin"])
        except Problem as exc:
            raise click.ClickException(exc.detail_en) from None
        click.echo(f"Admin {user.login} created.")

    env.run(go)


@main.command("import-content")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--institution", "institution_code", default="demo", show_default=True)
def import_content(path: Path, institution_code: str) -> None:
    """Import one course folder, or every course folder under PATH."""
    env = Env()

    async def go() -> None:
        from lms_core.content import ContentInvalid
        from lms_core.models import Institution
        from lms_core.services.content_import import import_course

        inst = await Institution.get_or_none(code=institution_code)
        if inst is None:
            raise click.ClickException(f"no institution {institution_code!r}; run `lms init`")
        folders = [path] if (path / "course.yaml").exists() else sorted(
            p.parent for p in path.glob("*/course.yaml"))
        failed = False
        with click.progressbar(folders, label="Importing courses",
                               item_show_func=lambda p: p.name if p else "") as bar:
            for folder in bar:
                try:
                    course, outcome = await import_course(env.settings, env.plugins, inst.id,
                                                          folder)
                    click.echo(f"\n  {course.code} v{course.version}: {outcome}")
                except ContentInvalid as exc:
                    failed = True
                    click.echo(f"\n  {folder.name}: rejected", err=True)
                    for err in exc.errors:
                        click.echo(f"    {folder.name}/{err}", err=True)
        if failed:
            raise click.ClickException("some courses were rejected; nothing of them was imported")

    env.run(go)


@main.group()
def users() -> None:
    """Manage users."""


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--institution", "institution_code", default="demo", show_default=True)
@click.option("--class", "class_code", default=None, help="Also enrol everyone in this class")
def users_import(file: Path, institution_code: str, class_code: str | None) -> None:
    """Create or update users from a CSV/XLSX staff list (all rows or none)."""
    env = Env()

    async def go() -> None:
        from lms_core.models import Institution
        from lms_core.services.staff_file import StaffFileError, parse_staff_file
        from lms_core.services.staff_import import StaffImportRejected, apply_staff_file

        inst = await Institution.get_or_none(code=institution_code)
        if inst is None:
            raise click.ClickException(f"no institution {institution_code!r}")
        try:
            parsed = parse_staff_file(file.name, file.read_bytes())
        except StaffFileError as exc:
            raise click.ClickException(exc.message_en) from None
        with click.progressbar(length=len(parsed.rows), label="Importing staff") as bar:
            try:
                report = await apply_staff_file(env.plugins, inst.id, parsed, class_code=class_code,
                                                actor_id=None, progress=bar.update)
            except StaffImportRejected as exc:
                click.echo("")
                for err in exc.errors:
                    click.echo(f"  line {err.line}: {err.column + ': ' if err.column else ''}"
                               f"{err.message_en}", err=True)
                raise click.ClickException("file rejected; nothing was imported") from None
        click.echo(f"\ncreated {report.created}, updated {report.updated}, "
                   f"enrolled {report.enrolled}")

    env.run(go)


@main.group()
def plugins() -> None:
    """Installed plugins."""


@plugins.command("list")
@click.option("--institution", "institution_code", default=None,
              help="Show the state for this institution")
def plugins_list(institution_code: str | None) -> None:
    """Name, version, source and state of every plugin."""
    env = Env()

    async def go() -> None:
        from lms_core.models import Institution

        inst_id = None
        if institution_code:
            inst = await Institution.get_or_none(code=institution_code)
            if inst is None:
                raise click.ClickException(f"no institution {institution_code!r}")
            inst_id = inst.id
        enabled = await env.plugins.enabled_for(inst_id)
        click.echo(f"{'name':<16} {'version':<9} {'state':<9} source")
        for p in env.plugins.plugins.values():
            state = "essential" if p.essential else ("enabled" if p.name in enabled else "disabled")
            click.echo(f"{p.name:<16} {p.info.version:<9} {state:<9} {p.source}")

    env.run(go)


#: Websocket keepalive: a ping every 20 s, and a socket whose pong has not been read within
#: 60 s is closed (uvicorn's default is 20 s). A vanished phone is still noticed within a
#: minute and a half, but a worker busy with a whole room answering at once (10,000 trainees,
#: tens of seconds of queued work) no longer closes hundreds of healthy sockets with 1011:
#: measured in bench/live_bench.py, docs/performance.md.
WS_PING_INTERVAL = 20.0
WS_PING_TIMEOUT = 60.0
#: Seconds an idle keep-alive connection stays open (uvicorn's default is 5): a trainee reads a
#: question for longer than that between two saves, and a class submitting at the end of a test
#: had one connection in ten to open again, in the same second; browsers keep theirs for a
#: minute or more, nginx for 75 s.
KEEP_ALIVE_SECONDS = 75
#: uvicorn's websocket protocol: the lean one (lms_core/http/ws_protocol.py: under half the
#: memory per idle socket of uvicorn's, and broadcasts framed once).
WS_PROTOCOL = "lms_core.http.ws_protocol:LeanWebSocketProtocol"


@main.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--reload", is_flag=True)
def serve(host: str | None, port: int | None, workers: int, reload: bool) -> None:
    """Serve the app with uvicorn (uvloop + httptools)."""
    import uvicorn

    settings = Settings.from_env()
    uvicorn.run("lms_core.asgi:app", host=host or settings.host, port=port or settings.port,
                workers=workers, reload=reload, loop="uvloop", http="httptools",
                ws=WS_PROTOCOL, ws_per_message_deflate=False, ws_ping_interval=WS_PING_INTERVAL,
                ws_ping_timeout=WS_PING_TIMEOUT, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                proxy_headers=True, log_level="info")


@main.command()
@click.option("--no-serve", is_flag=True, help="Prepare the demo data and exit")
def demo(no_serve: bool) -> None:
    """Migrate, load the sample course and demo accounts, print them, and serve."""
    from lms_core.demo import load_demo

    env = Env()
    asyncio.run(run_migrations(env.config))
    accounts = env.run(lambda: load_demo(env.settings, env.plugins))
    click.echo("\nDemo accounts (login / password / role):")
    for login, password, role in accounts:
        click.echo(f"  {login:<12} {password:<16} {role}")
    url = f"http://{env.settings.host}:{env.settings.port}"
    click.echo(f"\nOpen {url} in a browser. Ctrl+C stops the server.\n")
    if not no_serve:
        os.environ.setdefault("LMS_PORT", str(env.settings.port))
        serve.main(args=[], standalone_mode=False)


if __name__ == "__main__":
    main()
