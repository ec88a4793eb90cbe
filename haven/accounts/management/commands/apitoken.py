"""`haven apitoken issue USERNAME --name NAME [--scope read|write] [--days N]` and `haven apitoken
revoke PREFIX`: bearer tokens for machine clients of /api/v1, issued by an operator on the server.
A token reads only unless issued to write, and expires (90 days unless told, a year at most)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts.models import ApiToken, TokenScope, User
from haven.accounts.services import api_token_issue, api_token_revoke

KEY_PREFIX = "hvn_"


class Command(BaseCommand):
    help = "Issue a bearer token for /api/v1 (the key is shown once) or revoke one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="Issue a token and print its key, once.")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="What the token is for, e.g. the client system.")
        issue.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.READ,
            help="read (GET only, the default) or write (also create and change records).",
        )
        issue.add_argument(
            "--days",
            type=int,
            default=ApiToken.DEFAULT_DAYS,
            help=f"How long it works (default {ApiToken.DEFAULT_DAYS}, at most {ApiToken.MAX_DAYS}).",
        )
        revoke = actions.add_parser("revoke", help="Revoke the active token with this prefix.")
        revoke.add_argument("prefix", help="The 8 characters after 'hvn_', or the whole key.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "issue":
            self.issue(options["username"], options["name"], options["scope"], options["days"])
        else:
            self.revoke(options["prefix"])

    def issue(self, username: str, name: str, scope: str, days: int) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; a token would be refused")
        if not name.strip():
            raise CommandError("--name must say what the token is for")
        # The operator at the console is not a Haven user: the audit event names the token's owner as
        # actor, and its action (account.api_token_issue) says the token was issued, not used.
        try:
            token, key = api_token_issue(actor=user, user=user, name=name.strip(), scope=scope, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        until = f"{token.expires_at:%Y-%m-%d %H:%M} UTC"
        self.stderr.write(
            f"Issued token {token.prefix}… for {username} ({scope}, until {until}). The key, shown only now:"
        )
        self.stdout.write(key)

    def revoke(self, given: str) -> None:
        given = given.strip()
        active = ApiToken.objects.select_related("user").filter(revoked_at__isnull=True)
        if given.startswith(KEY_PREFIX) and len(given) > len(KEY_PREFIX) + 8:
            found = list(active.filter(key_hash=ApiToken.hash(given)))
        else:
            found = list(active.filter(prefix=given.removeprefix(KEY_PREFIX)))
        if not found:
            raise CommandError(f"no active token matches {given!r}")
        if len(found) > 1:
            raise CommandError(f"{len(found)} active tokens share this prefix; give the whole key")
        token = found[0]
        # As for issue: the token's owner is recorded as the actor of the operator's revocation.
        api_token_revoke(actor=token.user, token=token)
        self.stdout.write(f"Revoked token {token.prefix}… ({token.name}) of {token.user.username}.")
