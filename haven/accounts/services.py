"""Writes on accounts: organisations and their people, and API tokens, each audited. A person's own
credentials (password, second factor, a reset link) are in accounts/credentials.py."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import require
from haven.accounts import holdings
from haven.accounts.holdings import Takeover
from haven.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    TokenScope,
    User,
)
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems, Refused, invalid


@transaction.atomic
def api_token_issue(
    *, actor: User, user: User, name: str, scope: str = TokenScope.READ, days: int = ApiToken.DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``, reading only unless ``scope`` says write, for ``days`` days;
    the key is returned once and only its hash is kept."""
    if scope not in TokenScope.values:
        raise invalid("scope", _("Choose read or write."), "invalid_scope")
    if not 1 <= days <= ApiToken.MAX_DAYS:
        raise invalid(
            "days",
            _("A token lasts from 1 to %(most)s days.") % {"most": ApiToken.MAX_DAYS},
            "invalid_lifetime",
        )
    token, key = ApiToken.issue(user=user, name=name, scope=scope, days=days)
    record(
        actor=actor,
        action="account.api_token_issue",
        obj=token,
        data={"user": user.pk, "name": name, "scope": scope, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, action="account.api_token_revoke", obj=token)


# --- Organisations and their people ---------------------------------------------------------------
# Run by the system administrator (Verb.ACCOUNT_MANAGE). An organisation that holds open work is never
# closed or merged away without naming who takes it over, and the work moves in the same transaction
# as the closing, audited (accounts/holdings.py; docs/decisions/0014).

K = OrganisationKind
R = Role

# The roles each kind of organisation has people in (a facility director in a commune committee, a
# chairman in a hospital, would reach children their body has no part in).
ROLES_OF_KIND: dict[str, frozenset[str]] = {
    K.COMMUNE_COMMITTEE: frozenset(
        {R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN, R.CIVIL_STATUS_OFFICER}
    ),
    K.COMMUNE_POLICE: frozenset({R.COMMUNE_POLICE_OFFICER}),
    K.HEALTH_FACILITY: frozenset({R.HOSPITAL_SOCIAL_WORKER}),
    K.SOCIAL_PROTECTION_FACILITY: frozenset({R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER, R.CAREGIVER}),
    K.SCHOOL: frozenset({R.SCHOOL_OFFICER}),
    K.MASS_ORGANISATION: frozenset({R.SOCIAL_COLLABORATOR}),
    K.PROVINCIAL_HEALTH: frozenset({R.PROVINCIAL_OFFICER}),
    K.PROVINCIAL_JUSTICE: frozenset({R.PROVINCIAL_OFFICER}),
    K.PROVINCIAL_POLICE: frozenset({R.PROVINCIAL_OFFICER}),
    K.HOTLINE_111: frozenset({R.HOTLINE_OPERATOR}),
    K.MINISTRY_OF_HEALTH: frozenset({R.MINISTRY_OFFICER}),
    K.CENTRAL_MONITORING: frozenset({R.CENTRAL_ANALYST}),
    K.SYSTEM_OPERATOR: frozenset({R.SYSTEM_ADMINISTRATOR}),
}
COMMUNE_KINDS = frozenset({K.COMMUNE_COMMITTEE, K.COMMUNE_POLICE})
PROVINCE_KINDS = frozenset({K.PROVINCIAL_HEALTH, K.PROVINCIAL_JUSTICE, K.PROVINCIAL_POLICE})
# One body of these kinds answers for an area (authority_for): a second would make it ambiguous.
ONE_PER_AREA = frozenset({K.COMMUNE_COMMITTEE, K.PROVINCIAL_HEALTH})


def _administering(actor: User) -> Membership:
    return require(actor, Verb.ACCOUNT_MANAGE)


def _takeover(
    actor: User, membership: Membership, successor, reason: str, *, merge: bool = False
) -> Takeover:
    return Takeover(
        actor=actor, membership=membership, successor=successor, now=clock.now(), reason=reason, merge=merge
    )


@transaction.atomic
def organisation_create(*, actor: User, name: str, kind: str, area: Area | None) -> Organisation:
    """A new organisation in its area. A commune's People's Committee joining Haven takes over the cases
    of its commune that the provincial department (or the Ministry) held while standing in for it; a
    provincial Department of Health, those of its province that the Ministry held."""
    membership = _administering(actor)
    problems = Problems()
    name = (name or "").strip()
    if not name:
        problems.add("name", _("Give the organisation's name."), "required")
    if kind not in K.values:
        problems.add("kind", _("Choose the kind of organisation."), "required")
    if area is None:
        problems.add("area", _("Choose where the organisation sits."), "required")
    elif kind in COMMUNE_KINDS and area.level != "commune":
        problems.add("area", _("A commune body sits in a commune."), "wrong_level")
    elif kind in PROVINCE_KINDS and area.level != "province":
        problems.add("area", _("A provincial department sits in a province."), "wrong_level")
    elif kind in ONE_PER_AREA:
        existing = Organisation.objects.filter(kind=kind, area=area, is_active=True).first()
        if existing is not None:
            problems.add(
                "area",
                _("%(organisation)s already answers for this area in Haven.")
                % {"organisation": existing.name},
                "duplicate",
            )
    problems.raise_any()
    # Who stood in for the new body until now (accounts.selectors.authority_for): for a commune's
    # committee, its province's department or the Ministry; for a province's department, the Ministry.
    stand_ins = []
    if kind == K.COMMUNE_COMMITTEE:
        stand_ins = list(
            Organisation.objects.filter(
                Q(kind=K.PROVINCIAL_HEALTH, area=area.parent) | Q(kind=K.MINISTRY_OF_HEALTH), is_active=True
            )
        )
    elif kind == K.PROVINCIAL_HEALTH:
        stand_ins = list(Organisation.objects.filter(kind=K.MINISTRY_OF_HEALTH, is_active=True))
    organisation = Organisation.objects.create(name=name, kind=kind, area=area)
    takeover = _takeover(actor, membership, organisation, _("The body answering for the area joined Haven."))
    handed = {}
    for stand_in in stand_ins:
        for holding in holdings.HOLDINGS.values():
            if holding.hand_back is not None and (n := holding.hand_back(stand_in, organisation, takeover)):
                handed[f"{holding.code}:{stand_in.pk}"] = n
    record(
        actor=actor,
        action="account.organisation_create",
        obj=organisation,
        organisation=membership.organisation,
        data={"name": name, "kind": kind, "area": area.pk, "handed_back": handed},
    )
    return organisation


def _successor_problems(organisation: Organisation, successor: Organisation | None, field: str) -> Problems:
    problems = Problems()
    if successor is None:
        return problems
    if successor.pk == organisation.pk:
        problems.add(field, _("Choose another organisation to take over."), "same_organisation")
    elif not successor.is_active:
        problems.add(field, _("This organisation is no longer active."), "inactive")
    elif successor.kind != organisation.kind:
        problems.add(
            field,
            _("The organisation that takes over must be of the same kind: %(kind)s.")
            % {"kind": organisation.get_kind_display()},
            "wrong_kind",
        )
    return problems


def _hand_over_everything(organisation: Organisation, takeover: Takeover, field: str) -> dict[str, int]:
    """Every holding of ``organisation`` to ``takeover.successor``, or refused with what it holds."""
    held = holdings.held_by(organisation)
    fixed = [h for h in held if h.holding.refusal]
    if fixed:
        raise Refused(
            _("%(organisation)s still holds %(what)s. %(why)s")
            % {
                "organisation": organisation.name,
                "what": ", ".join(str(h) for h in fixed),
                "why": " ".join(dict.fromkeys(str(h.holding.refusal) for h in fixed)),
            },
            code="holds_children",
        )
    needing = [h for h in held if h.holding.needs_successor]
    if needing and takeover.successor is None:
        raise invalid(
            field,
            _("%(organisation)s still holds %(what)s: choose the organisation that takes them over.")
            % {"organisation": organisation.name, "what": ", ".join(str(h) for h in needing)},
            "successor_required",
        )
    moved = {}
    for h in held:
        act = h.holding.move if takeover.successor is not None else h.holding.release
        if act is not None:
            moved[h.holding.code] = act(organisation, takeover)
    return moved


def _end_memberships(organisation: Organisation, today) -> list[Membership]:
    """Every role held in ``organisation`` ends today (kept, as the history of who held it)."""
    ending = list(Membership.objects.in_force(today).filter(organisation=organisation))
    Membership.objects.filter(pk__in=[m.pk for m in ending]).update(valid_to=today)
    return ending


@transaction.atomic
def organisation_deactivate(
    *, actor: User, organisation: Organisation, reason: str, successor: Organisation | None = None
) -> Organisation:
    """The organisation stops working in Haven: its memberships end, and what it holds goes to
    ``successor`` — required when it holds open work (accounts/holdings.py)."""
    membership = _administering(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    problems = _successor_problems(organisation, successor, "successor")
    if not (reason or "").strip():
        problems.add("reason", _("Say why the organisation is deactivated."), "required")
    if not organisation.is_active:
        raise Refused(_("This organisation is already deactivated."), code="already_done")
    if organisation.pk == membership.organisation_id:
        raise Refused(_("You cannot deactivate the organisation you administer Haven through."), code="own")
    problems.raise_any()
    takeover = _takeover(actor, membership, successor, reason.strip())
    moved = _hand_over_everything(organisation, takeover, "successor")
    ended = _end_memberships(organisation, clock.localdate(takeover.now))
    organisation.is_active = False
    organisation.save(update_fields=["is_active", "updated_at"])
    record(
        actor=actor,
        action="account.organisation_deactivate",
        obj=organisation,
        organisation=membership.organisation,
        reason=reason.strip(),
        data={"successor": successor.pk if successor else None, "moved": moved, "memberships": len(ended)},
    )
    return organisation


@transaction.atomic
def organisation_merge(
    *, actor: User, organisation: Organisation, into: Organisation | None, reason: str
) -> Organisation:
    """Two organisations become one (two records of one body, or two bodies joined, as the communes
    were on 1 July 2025): everything ``organisation`` holds, and its people with their roles, go to
    ``into``; ``organisation`` is deactivated."""
    membership = _administering(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    problems = _successor_problems(organisation, into, "into")
    if into is None:
        problems.add("into", _("Choose the organisation it merges into."), "required")
    if not (reason or "").strip():
        problems.add("reason", _("Say why the organisations are merged."), "required")
    if not organisation.is_active:
        raise Refused(_("This organisation is already deactivated."), code="already_done")
    if organisation.pk == membership.organisation_id:
        raise Refused(_("You cannot deactivate the organisation you administer Haven through."), code="own")
    problems.raise_any()
    takeover = _takeover(actor, membership, into, reason.strip(), merge=True)
    moved = _hand_over_everything(organisation, takeover, "into")
    today = clock.localdate(takeover.now)
    people = 0
    for m in _end_memberships(organisation, today):
        joined, created = Membership.objects.get_or_create(
            user_id=m.user_id, organisation=into, role=m.role, defaults={"valid_from": today}
        )
        if not created and not joined.in_force_on(today):
            joined.valid_from, joined.valid_to = min(joined.valid_from, today), None
            joined.save(update_fields=["valid_from", "valid_to", "updated_at"])
        people += 1
    organisation.is_active = False
    organisation.save(update_fields=["is_active", "updated_at"])
    record(
        actor=actor,
        action="account.organisation_merge",
        obj=organisation,
        organisation=membership.organisation,
        reason=reason.strip(),
        data={"into": into.pk, "moved": moved, "memberships": people},
    )
    return organisation


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    password: str,
    organisation: Organisation | None,
    role: str,
    phone: str = "",
) -> User:
    """A person and their first role in an organisation, in force from today."""
    membership = _administering(actor)
    problems = Problems()
    username = (username or "").strip()
    if not username:
        problems.add("username", _("Choose a username."), "required")
    elif User.objects.filter(username__iexact=username).exists():
        problems.add("username", _("This username is taken."), "duplicate")
    if not (full_name or "").strip():
        problems.add("full_name", _("Give the person's full name."), "required")
    if organisation is None or not organisation.is_active:
        problems.add("organisation", _("Choose an active organisation."), "required")
    elif role not in ROLES_OF_KIND.get(organisation.kind, ()):
        problems.add(
            "role",
            _("This role does not exist in a %(kind)s.") % {"kind": organisation.get_kind_display()},
            "wrong_role",
        )
    try:
        validate_password(password or "", User(username=username, full_name=full_name))
    except ValidationError as error:
        for message in error.messages:
            problems.add("password", message, "weak_password")
    problems.raise_any()
    user = User(username=username, full_name=full_name.strip(), phone=(phone or "").strip())
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role, valid_from=clock.today())
    record(
        actor=actor,
        action="account.user_create",
        obj=user,
        organisation=membership.organisation,
        data={"username": username, "organisation": organisation.pk, "role": role},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str, successor: User | None = None) -> User:
    """The person leaves: their account and roles end, their API tokens are revoked, and what they
    hold in person (cases assigned to them, the women and villages a collaborator follows) goes to
    ``successor`` — required when they hold any."""
    membership = _administering(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    problems = Problems()
    if not (reason or "").strip():
        problems.add("reason", _("Say why the account is deactivated."), "required")
    if user.pk == actor.pk:
        raise Refused(_("You cannot deactivate your own account."), code="own")
    if not user.is_active:
        raise Refused(_("This account is already deactivated."), code="already_done")
    if successor is not None and (successor.pk == user.pk or not successor.is_active):
        problems.add("successor", _("Choose another active person to take over."), "invalid")
    held = holdings.held_by_person(user)
    if held and successor is None:
        problems.add(
            "successor",
            _("%(person)s still holds %(what)s: choose the person who takes them over.")
            % {"person": user, "what": ", ".join(str(h) for h in held)},
            "successor_required",
        )
    problems.raise_any()
    takeover = _takeover(actor, membership, None, reason.strip())
    moved = {h.holding.code: h.holding.move(user, successor, takeover) for h in held}
    today = clock.localdate(takeover.now)
    ended = Membership.objects.in_force(today).filter(user=user).update(valid_to=today)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=takeover.now)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(
        actor=actor,
        action="account.user_deactivate",
        obj=user,
        organisation=membership.organisation,
        reason=reason.strip(),
        data={"successor": successor.pk if successor else None, "moved": moved, "memberships": ended},
    )
    return user
