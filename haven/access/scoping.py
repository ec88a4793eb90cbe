"""Who may see which child: the one place that turns the policy table into querysets.

Every read of a child's data starts from ``visible_to(user)`` (people.models.ChildQuerySet calls
``child_filter`` below). ``require`` is the check for one object: a refusal is the same 404 as a
missing record, so identifiers leak nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from haven.access.policy import POLICY, Scope, Verb, needs_second_factor
from haven.accounts.models import Membership, Role
from haven.core import clock

if TYPE_CHECKING:
    from haven.accounts.models import User


class NotVisible(Http404):
    """Forbidden and missing look the same."""


def memberships(user: User) -> list[Membership]:
    """The user's active memberships, read once per request (cached on the user object)."""
    if not user.is_authenticated:
        return []
    today = clock.today()
    cached = getattr(user, "_haven_memberships", None)
    if cached is None or cached[0] != today:
        rows = list(Membership.objects.active(today).filter(user=user).select_related("organisation__area"))
        cached = (today, rows)
        user._haven_memberships = cached
    return cached[1]


def holds_a_role(user: User) -> bool:
    """Whether ``user`` holds a role in force. Without one an account reaches its own account pages
    and nothing else: no page, no API operation (DenyByDefaultMiddleware, haven/api/auth.py)."""
    return bool(memberships(user))


def organisations_of(user: User) -> set[int]:
    """The ids of the organisations in which ``user`` holds a role in force (what a form leaves out
    of the receivers a user may hand a case to: never their own)."""
    return {m.organisation_id for m in memberships(user)}


def granting(user: User, verb: Verb) -> list[Membership]:
    """The memberships through which ``user`` may ``verb``."""
    return [m for m in memberships(user) if verb in POLICY[Role(m.role)].verbs]


def can(user: User, verb: Verb) -> bool:
    return bool(granting(user, verb))


def second_factor_required(user: User) -> bool:
    """``user`` holds a role that must give a second factor at sign-in (policy.needs_second_factor):
    one role that needs it is enough, since a session carries every role the person holds."""
    return any(needs_second_factor(m.role, m.organisation.area.level) for m in memberships(user))


def acting_membership(user: User, verb: Verb) -> Membership | None:
    found = granting(user, verb)
    return found[0] if found else None


def acting_as(user: User, roles, verb: Verb = Verb.CHILD_VIEW, organisation=None) -> Membership | None:
    """The first membership through which ``user`` holds one of ``roles`` (and ``verb``), in
    ``organisation`` when given: who reports a child, who answers for the organisation asked to
    receive one. None when there is none."""
    return next(
        (
            m
            for m in granting(user, verb)
            if m.role in roles and (organisation is None or m.organisation_id == organisation.pk)
        ),
        None,
    )


def child_filter(user: User, verb: Verb = Verb.CHILD_VIEW, prefix: str = "") -> Q | None:
    """A Q over Child (or over a model reaching Child through ``prefix``), or None for nothing.

    The union of every granting membership's reach; a user with no membership gets None.
    """
    return reach(granting(user, verb), prefix)


def reach(through: list[Membership], prefix: str = "") -> Q | None:
    from haven.people.models import Involvement

    clauses: list[Q] = []
    organisations: list[int] = []
    for m in through:
        scope = POLICY[Role(m.role)].scope
        area = m.organisation.area
        if scope is Scope.NATION:
            return Q()
        if scope is Scope.AREA:
            field = "current_commune_id" if area.level == "commune" else "current_commune__parent_id"
            clauses.append(Q(**{prefix + field: area.id}))
            organisations.append(m.organisation_id)
        elif scope is Scope.ORGANISATION:
            organisations.append(m.organisation_id)
    if organisations:
        # A subquery rather than a join, so a child linked twice is not listed twice.
        involved = Involvement.objects.current().filter(organisation_id__in=organisations).values("child_id")
        clauses.append(Q(**{prefix + "id__in": involved}))
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def organisation_filter(user: User, verb: Verb, prefix: str = "") -> Q | None:
    """A Q over Organisation (or a model reaching one through ``prefix``): the organisations whose
    work the user may see — their own, and for area roles every organisation of their area. For what
    is not a child's record (an obligation about a person followed by the prevention work)."""
    clauses: list[Q] = []
    for m in granting(user, verb):
        scope = POLICY[Role(m.role)].scope
        area = m.organisation.area
        if scope is Scope.NATION:
            return Q()
        clauses.append(Q(**{prefix + "id": m.organisation_id}))
        if scope is Scope.AREA:
            clauses.append(Q(**{prefix + "area_id": area.id}))
            if area.level == "province":
                clauses.append(Q(**{prefix + "area__parent_id": area.id}))
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def record_filter(user: User, verb: Verb, *, commune: str, organisations: tuple[str, ...]) -> Q | None:
    """A Q over records that are not a child's (a person followed by the prevention work). Area roles
    reach the records whose ``commune`` lies in their area; organisation roles the records that name
    their organisation in one of the ``organisations`` fields; national roles every record."""
    return record_reach(granting(user, verb), commune=commune, organisations=organisations)


def record_reach(through: list[Membership], *, commune: str, organisations: tuple[str, ...]) -> Q | None:
    clauses: list[Q] = []
    for m in through:
        scope = POLICY[Role(m.role)].scope
        area = m.organisation.area
        if scope is Scope.NATION:
            return Q()
        if scope is Scope.AREA:
            field = f"{commune}_id" if area.level == "commune" else f"{commune}__parent_id"
            clauses.append(Q(**{field: area.id}))
        elif scope is Scope.ORGANISATION:
            clauses.extend(Q(**{f"{name}_id": m.organisation_id}) for name in organisations)
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def reaching(user: User, verb: Verb, obj) -> list[Membership]:
    """The memberships through which ``user`` may ``verb`` on ``obj`` (a child, or a record reaching
    one through its ``child_prefix``): what a page may offer is what one of these allows."""
    prefix = type(obj).child_prefix
    found = []
    for m in granting(user, verb):
        q = reach([m], prefix)
        if q is not None and type(obj).objects.filter(q, pk=obj.pk).exists():
            found.append(m)
    return found


def require(user: User, verb: Verb, obj=None) -> Membership:
    """Refuse (404) unless ``user`` may ``verb`` — on ``obj`` when given.

    Returns the membership the user acts through: for an object, one whose reach includes it.
    """
    through = granting(user, verb)
    if obj is None:
        if not through:
            raise NotVisible
        return through[0]
    prefix = type(obj).child_prefix
    for m in through:
        q = reach([m], prefix)
        if q is not None and type(obj).objects.filter(q, pk=obj.pk).exists():
            return m
    raise NotVisible


def acting(user: User, roles, obj, *, verb: Verb = Verb.CHILD_VIEW, reaches=None, visible=None) -> Membership:
    """The membership through which ``user`` takes a workflow step on ``obj``: one holding a role the
    step's row allows, whose reach includes ``obj``. Whoever sees ``obj`` but may not take this step is
    told why; anyone else gets the same 404 as for a missing record.

    ``reaches(membership, obj, user)`` and ``visible(user, obj)`` replace the child-based defaults for
    subjects that are not a child's record (a person followed by the prevention work)."""
    from django.utils.translation import gettext as _

    from haven.core.errors import Refused

    model = type(obj)

    def through_child(m: Membership, obj, user) -> bool:
        q = reach([m], model.child_prefix)
        return q is not None and model.objects.filter(q, pk=obj.pk).exists()

    reaches = reaches or through_child
    for m in granting(user, verb):
        if m.role in roles and reaches(m, obj, user):
            return m
    sees = visible(user, obj) if visible else model.objects.visible_to(user).filter(pk=obj.pk).exists()
    if sees:
        who = ", ".join(str(Role(r).label) for r in sorted(roles)) or _("Haven itself")
        raise Refused(_("Only these roles take this step: %(roles)s.") % {"roles": who}, code="not_your_step")
    raise NotVisible


def sees_all_in(user: User, verb: Verb, area=None) -> bool:
    """Whether ``user`` may ``verb`` every record of ``area`` (the nation when None): a national role,
    or an area role over the area or the province that holds it. Those get exact counts of the area;
    anyone else gets counts with small cells hidden (reports/disclosure.py). An organisation role (a
    hospital, a facility) sees only the children handed to it, never a whole area."""
    for m in granting(user, verb):
        scope = POLICY[Role(m.role)].scope
        if scope is Scope.NATION:
            return True
        if scope is Scope.AREA and area is not None:
            own = m.organisation.area_id
            if area.pk == own or (area.level == "commune" and area.parent_id == own):
                return True
    return False


def aggregate_reach(user: User):
    """For figures (counts only): the widest area the user may count, and the children in it.

    Returns (None, all children) for the nation, (area, children of the area), or (False, none).
    Analysts count nationally but never see a child's identity: callers return counts only.
    """
    from haven.people.models import Child

    widest = False
    for m in granting(user, Verb.AGGREGATE_VIEW):
        if POLICY[Role(m.role)].scope in (Scope.NATION, Scope.NONE):
            return None, Child.objects.all()
        area = m.organisation.area
        if widest is False or (area.level == "province" and widest.level == "commune"):
            widest = area
    if widest is False:
        return False, Child.objects.none()
    field = "current_commune" if widest.level == "commune" else "current_commune__parent"
    return widest, Child.objects.filter(**{field: widest})
