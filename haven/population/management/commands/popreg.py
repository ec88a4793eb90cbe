"""`haven popreg serve`: the population register service, a process of its own on its own database."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.population import service


def default_database() -> Path:
    return Path(settings.BASE_DIR) / "var" / "popreg.sqlite3"


class Command(BaseCommand):
    help = "Serve the population register (a stand-in for the national register's interface) over HTTP."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["serve"])
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed)")
        parser.add_argument(
            "--database", default=None, help="its own SQLite file (default var/popreg.sqlite3)"
        )

    def handle(self, *args, action: str, host: str, port: int, database: str | None, **options) -> None:
        path = Path(database) if database else default_database()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            httpd = service.server(path, host=host, port=port)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error}") from error
        self.stdout.write(
            f"population register on http://{host}:{httpd.server_port}/ (database {path}); Ctrl-C stops it",
        )
        self.stdout.flush()
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
