"""The one policy table: which role may do what, and how far it reaches.

Deny by default: a verb not listed for a role is refused. docs/permissions.md is this table written
out (a test keeps the two in step). Scopes:

- AREA: the children whose current commune lies in the organisation's area (its commune, or its
  province for a provincial department), plus those formally handed or referred to the organisation.
- ORGANISATION: only the children handed or referred to the organisation (a hospital, a facility, a
  school, a Women's Union chapter): least privilege for bodies that are not the commune authority.
- NATION: every child (national bodies).
- NONE: no child's identity at all; such roles see aggregates only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from haven.accounts.models import Role


class Scope(enum.StrEnum):
    AREA = "area"
    ORGANISATION = "organisation"
    NATION = "nation"
    NONE = "none"


class Verb(enum.StrEnum):
    CHILD_VIEW = "child.view"
    CHILD_CREATE = "child.create"
    CHILD_UPDATE = "child.update"
    CHILD_EXPORT = "child.export"
    CHILD_ACCESS_LOG = "child.access_log"
    AGGREGATE_VIEW = "aggregate.view"
    DEADLINE_OVERRIDE = "deadline.override"
    # The supervisor's view of the team: the open steps of the organisations the user heads (and, for a
    # provincial department, of every organisation of its province), by organisation and case worker.
    DEADLINE_TEAM = "deadline.team"
    # Decree 56, Form 01: who reported a child at risk, shown only to those who handle the report.
    INFORMANT_VIEW = "protection.informant"
    # Preventing abandonment (vietnam-process.md §9c): people at risk are not children in Haven, and
    # their health data are sensitive (Personal Data Protection Law 2025), so they have verbs of their
    # own. View: read the people at risk one reaches; record: flag a person, record contact, visits and
    # support; manage: the commune's villages and which collaborator covers them, and escalation.
    PREVENTION_VIEW = "prevention.view"
    PREVENTION_RECORD = "prevention.record"
    PREVENTION_MANAGE = "prevention.manage"
    # Family-like care (haven/care): run a facility's homes, groups, staff and placements; and allow a
    # placement beyond capacity or staffing ratio (Circular 09/2024 art. 6), named and audited.
    CARE_MANAGE = "care.manage"
    CARE_OVERRIDE = "care.override"
    # Inspection of a facility against the standards (Decree 103/2017; Circular 09/2024).
    CARE_INSPECT = "care.inspect"
    # Record linkage (issue #5): review the pairs the model proposes (a child and a person of the
    # population register, or two records of one child) and decide; run the linkage.
    LINKAGE_REVIEW = "linkage.review"
    LINKAGE_RUN = "linkage.run"
    # Form 16 (Law on Children art. 69; Decree 56/2017 art. 48(2)): end or change a child's alternative
    # care by decision — the commune chairman, or a facility's managing authority (provincial
    # Department of Health for a provincial facility).
    CARE_DECIDE = "care.decide"
    ACCOUNT_MANAGE = "account.manage"
    AUDIT_VERIFY = "audit.verify"


@dataclass(frozen=True)
class Grant:
    scope: Scope
    verbs: frozenset[Verb]


def _grant(scope: Scope, *verbs: Verb) -> Grant:
    return Grant(scope, frozenset(verbs))


V = Verb
POLICY: dict[Role, Grant] = {
    Role.SOCIAL_COLLABORATOR: _grant(
        Scope.ORGANISATION, V.CHILD_VIEW, V.CHILD_CREATE, V.PREVENTION_VIEW, V.PREVENTION_RECORD
    ),
    Role.COMMUNE_CHILD_PROTECTION_OFFICER: _grant(
        Scope.AREA,
        V.CHILD_VIEW,
        V.CHILD_CREATE,
        V.CHILD_UPDATE,
        V.CHILD_EXPORT,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.INFORMANT_VIEW,
        V.PREVENTION_VIEW,
        V.PREVENTION_RECORD,
        V.PREVENTION_MANAGE,
        V.CARE_MANAGE,
    ),
    Role.COMMUNE_CHAIRMAN: _grant(
        Scope.AREA,
        V.CHILD_VIEW,
        V.CHILD_EXPORT,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.INFORMANT_VIEW,
        V.DEADLINE_TEAM,
        V.PREVENTION_VIEW,
        V.CARE_DECIDE,
    ),
    Role.CIVIL_STATUS_OFFICER: _grant(Scope.AREA, V.CHILD_VIEW, V.CHILD_UPDATE),
    # The commune police chief may draw up the discovery record, so prints it (Decree 123 art. 14(1)).
    Role.COMMUNE_POLICE_OFFICER: _grant(
        Scope.AREA, V.CHILD_VIEW, V.CHILD_CREATE, V.CHILD_EXPORT, V.INFORMANT_VIEW
    ),
    # The hospital's antenatal clinic flags women at risk and follows those it flagged (§9c).
    Role.HOSPITAL_SOCIAL_WORKER: _grant(
        Scope.ORGANISATION,
        V.CHILD_VIEW,
        V.CHILD_CREATE,
        V.CHILD_UPDATE,
        V.PREVENTION_VIEW,
        V.PREVENTION_RECORD,
    ),
    Role.FACILITY_DIRECTOR: _grant(
        Scope.ORGANISATION,
        V.CHILD_VIEW,
        V.CHILD_CREATE,
        V.CHILD_UPDATE,
        V.CHILD_EXPORT,
        V.CHILD_ACCESS_LOG,
        V.DEADLINE_TEAM,
        V.CARE_MANAGE,
        V.CARE_OVERRIDE,
    ),
    Role.FACILITY_SOCIAL_WORKER: _grant(
        Scope.ORGANISATION, V.CHILD_VIEW, V.CHILD_CREATE, V.CHILD_UPDATE, V.CARE_MANAGE
    ),
    Role.CAREGIVER: _grant(Scope.ORGANISATION, V.CHILD_VIEW),
    Role.SCHOOL_OFFICER: _grant(Scope.ORGANISATION, V.CHILD_VIEW),
    Role.PROVINCIAL_OFFICER: _grant(
        Scope.AREA,
        V.CHILD_VIEW,
        V.CHILD_UPDATE,
        V.CHILD_EXPORT,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.DEADLINE_OVERRIDE,
        V.DEADLINE_TEAM,
        V.PREVENTION_VIEW,
        V.CARE_INSPECT,
        V.LINKAGE_REVIEW,
        V.CARE_DECIDE,
    ),
    # Hotline 111 flags a woman at risk for her commune; it does not browse the prevention register.
    Role.HOTLINE_OPERATOR: _grant(
        Scope.NATION, V.CHILD_VIEW, V.CHILD_CREATE, V.INFORMANT_VIEW, V.PREVENTION_RECORD
    ),
    Role.MINISTRY_OFFICER: _grant(
        Scope.NATION,
        V.CHILD_VIEW,
        V.CHILD_EXPORT,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.LINKAGE_REVIEW,
        V.LINKAGE_RUN,
    ),
    # Aggregates only, never a child's identity (DESIGN.md, "Who uses it").
    Role.CENTRAL_ANALYST: _grant(Scope.NONE, V.AGGREGATE_VIEW),
    # Runs accounts and checks the audit chain; reads no child's record.
    Role.SYSTEM_ADMINISTRATOR: _grant(Scope.NONE, V.ACCOUNT_MANAGE, V.AUDIT_VERIFY),
}


def allows(role: str, verb: Verb) -> bool:
    grant = POLICY.get(Role(role)) if role in Role.values else None
    return grant is not None and verb in grant.verbs
