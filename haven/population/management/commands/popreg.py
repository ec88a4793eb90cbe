"""`haven popreg`: the population register service, a process of its own on its own database.

    haven popreg serve [--host H] [--port P] [--database F] [--certificate C --key K]
    haven popreg client add NAME --scopes lookup,register [--days 90] [--rate 100] [--replace]
                                 [--token-file F]
    haven popreg client token NAME [--days 90] [--rate N] [--token-file F]
    haven popreg client revoke NAME
    haven popreg client list

A token is shown once (or written, readable by its owner only, to --token-file) and never stored by
the register: it keeps the client's secret, with which it checks the token's signature.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.population import clients, service


def default_database() -> Path:
    return Path(settings.BASE_DIR) / "var" / "popreg.sqlite3"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, from the first byte."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)  # an existing file keeps its mode through O_CREAT
        out.write(text + "\n")


class Command(BaseCommand):
    help = "Serve the population register (a stand-in for the national register's interface) over HTTP."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        serve = actions.add_parser("serve", help="serve the register")
        serve.add_argument("--host", default="127.0.0.1", help="any but a loopback address needs TLS")
        serve.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed)")
        serve.add_argument("--certificate", help="TLS certificate chain (PEM)")
        serve.add_argument("--key", help="the certificate's private key (PEM)")
        _database(serve)
        client = actions.add_parser("client", help="the register's clients and their tokens")
        verbs = client.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="a new client and its first token")
        add.add_argument("name")
        add.add_argument("--scopes", required=True, help=f"comma-separated: {', '.join(clients.SCOPES)}")
        add.add_argument("--replace", action="store_true", help="a new secret: older tokens are void")
        token = verbs.add_parser("token", help="another token for a client, with its current scopes")
        token.add_argument("name")
        for verb in (add, token):
            verb.add_argument("--days", type=int, default=clients.DEFAULT_DAYS, help="how long it is valid")
            verb.add_argument("--rate", type=int, default=None, help="requests a minute (default 100)")
            verb.add_argument("--token-file", type=Path, help="write the token here (mode 0600), not out")
            _database(verb)
        revoke = verbs.add_parser("revoke", help="void every token of a client")
        revoke.add_argument("name")
        _database(revoke)
        _database(verbs.add_parser("list", help="the clients, their scopes and rates"))

    def handle(self, *args, action: str, database: str | None, **options) -> None:
        path = Path(database) if database else default_database()
        path.parent.mkdir(parents=True, exist_ok=True)
        if action == "serve":
            self.serve(path, **options)
        else:
            self.client(path, **options)

    def serve(
        self, path: Path, *, host: str, port: int, certificate: str | None, key: str | None, **_
    ) -> None:
        try:
            httpd = service.server(path, host=host, port=port, certificate=certificate, key=key)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error}") from error
        scheme = "https" if certificate else "http"
        self.stdout.write(
            f"population register on {scheme}://{host}:{httpd.server_port}/ (database {path}); "
            "Ctrl-C stops it",
        )
        self.stdout.flush()
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()

    def client(self, path: Path, *, verb: str, **options) -> None:
        try:
            if verb == "list":
                for row in clients.listing(path):
                    revoked = f"  revoked {row['revoked_at']}" if row["revoked_at"] else ""
                    self.stdout.write(f"{row['name']}  {row['scopes']}  {row['rate']}/min{revoked}")
                return
            if verb == "revoke":
                if not clients.revoke(path, options["name"]):
                    raise CommandError(f"no client {options['name']} to revoke")
                self.stderr.write(f"every token of {options['name']} is now refused")
                return
            scopes = clients.parse_scopes(options["scopes"]) if verb == "add" else None
            token = clients.issue(
                path,
                options["name"],
                scopes=scopes,
                days=options["days"],
                rate=options["rate"],
                replace=options.get("replace", False),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["token_file"]:
            write_private(options["token_file"], token)
            self.stderr.write(f"the token of {options['name']} is in {options['token_file']}")
        else:
            self.stdout.write(token)


def _database(parser) -> None:
    parser.add_argument("--database", default=None, help="its own SQLite file (default var/popreg.sqlite3)")
