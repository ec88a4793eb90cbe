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
    # The full PIN, shown on request and audited: to those who handle a child's papers, not to every
    # role that sees the child (least privilege; security review, finding 14).
    CHILD_PIN_REVEAL = "child.pin_reveal"
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
    # The rules of entitlements as dated data (Decree 20/2021 art. 4, 6): the Ministry keeps the
    # national amounts and coefficients; a province's Department of Health its province's higher level
    # (art. 4(3) as amended). Every change is audited and kept in the rule's history.
    ENTITLEMENT_RULES = "entitlement.rules"
    # Sponsorship (haven/sponsorship): coordinate — register sponsors and their vetting, match a child
    # to an offer, approve contact and visits, keep the resource ledger and publish it; offer — a
    # sponsor (or a police unit) offers to a programme or a commune and follows its own sponsorships.
    SPONSORSHIP_COORDINATE = "sponsorship.coordinate"
    SPONSORSHIP_OFFER = "sponsorship.offer"
    # School for every child (Notice 432-TB/VPTW §4.1(ii)): a child's school facts — enrolment,
    # attendance, inclusion — and the school-age roster. A school reaches only the children enrolled
    # with it (or asked to enrol), and only these facts: a child's school, class and results are
    # private (Decree 56/2017 art. 33), and a school never reads a protection case (it gets a narrow
    # "contact the commune officer" flag instead).
    EDUCATION_VIEW = "education.view"
    # Enrol a child (or ask a school to), record attendance, an age decision, an inclusion plan.
    EDUCATION_RECORD = "education.record"
    # Keep the list of schools (level, public or not, commune, official code).
    EDUCATION_SCHOOLS = "education.schools"
    # Complaints and feedback about entitlements and the officers who deliver them (Law on Complaints
    # 2011): receive, accept, settle and read the complaints of the commune (a province those of its
    # communes, and settles second-time complaints). Never the complaints about oneself
    # (complaints/selectors.py), and the complainant's identity only to the level that settles it.
    COMPLAINT_HANDLE = "complaint.handle"
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
        V.CHILD_PIN_REVEAL,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.INFORMANT_VIEW,
        V.PREVENTION_VIEW,
        V.PREVENTION_RECORD,
        V.PREVENTION_MANAGE,
        V.CARE_MANAGE,
        V.EDUCATION_VIEW,
        V.EDUCATION_RECORD,
        V.EDUCATION_SCHOOLS,
        V.COMPLAINT_HANDLE,
    ),
    Role.COMMUNE_CHAIRMAN: _grant(
        Scope.AREA,
        V.CHILD_VIEW,
        V.CHILD_EXPORT,
        V.CHILD_PIN_REVEAL,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.INFORMANT_VIEW,
        V.DEADLINE_TEAM,
        V.PREVENTION_VIEW,
        V.CARE_DECIDE,
        V.EDUCATION_VIEW,
        V.COMPLAINT_HANDLE,
    ),
    # The civil-status officer registers births and so reads the PIN the register issues.
    Role.CIVIL_STATUS_OFFICER: _grant(Scope.AREA, V.CHILD_VIEW, V.CHILD_UPDATE, V.CHILD_PIN_REVEAL),
    # The commune police chief may draw up the discovery record, so prints it (Decree 123 art. 14(1)).
    Role.COMMUNE_POLICE_OFFICER: _grant(
        Scope.AREA,
        V.CHILD_VIEW,
        V.CHILD_CREATE,
        V.CHILD_EXPORT,
        V.CHILD_PIN_REVEAL,
        V.INFORMANT_VIEW,
        V.SPONSORSHIP_OFFER,
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
        V.CHILD_PIN_REVEAL,
        V.CHILD_ACCESS_LOG,
        V.DEADLINE_TEAM,
        V.CARE_MANAGE,
        V.CARE_OVERRIDE,
        V.EDUCATION_VIEW,
        V.EDUCATION_RECORD,
    ),
    Role.FACILITY_SOCIAL_WORKER: _grant(
        Scope.ORGANISATION,
        V.CHILD_VIEW,
        V.CHILD_CREATE,
        V.CHILD_UPDATE,
        V.CARE_MANAGE,
        V.EDUCATION_VIEW,
        V.EDUCATION_RECORD,
    ),
    Role.CAREGIVER: _grant(Scope.ORGANISATION, V.CHILD_VIEW),
    # A school sees the children enrolled with it (or asked to enrol) and only their school facts:
    # never a child's record, circumstances or protection case (Decree 56/2017 art. 33). It still
    # reports a child at risk (Form 01) and answers a referral for school support.
    Role.SCHOOL_OFFICER: _grant(Scope.ORGANISATION, V.EDUCATION_VIEW, V.EDUCATION_RECORD),
    Role.PROVINCIAL_OFFICER: _grant(
        Scope.AREA,
        V.CHILD_VIEW,
        V.CHILD_UPDATE,
        V.CHILD_EXPORT,
        V.CHILD_PIN_REVEAL,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.DEADLINE_OVERRIDE,
        V.DEADLINE_TEAM,
        V.PREVENTION_VIEW,
        V.CARE_INSPECT,
        V.LINKAGE_REVIEW,
        V.CARE_DECIDE,
        V.ENTITLEMENT_RULES,
        V.EDUCATION_VIEW,
        V.EDUCATION_SCHOOLS,
        V.COMPLAINT_HANDLE,
    ),
    # Hotline 111 flags a woman at risk for her commune; it does not browse the prevention register.
    Role.HOTLINE_OPERATOR: _grant(
        Scope.NATION, V.CHILD_VIEW, V.CHILD_CREATE, V.INFORMANT_VIEW, V.PREVENTION_RECORD
    ),
    Role.MINISTRY_OFFICER: _grant(
        Scope.NATION,
        V.CHILD_VIEW,
        V.CHILD_EXPORT,
        V.CHILD_PIN_REVEAL,
        V.CHILD_ACCESS_LOG,
        V.AGGREGATE_VIEW,
        V.LINKAGE_REVIEW,
        V.LINKAGE_RUN,
        V.ENTITLEMENT_RULES,
        V.EDUCATION_VIEW,
        # Only the complaints of a commune the Ministry stands in for (complaints/selectors.py).
        V.COMPLAINT_HANDLE,
    ),
    # Aggregates only, never a child's identity (DESIGN.md, "Who uses it").
    Role.CENTRAL_ANALYST: _grant(Scope.NONE, V.AGGREGATE_VIEW),
    # A Women's Union or Fatherland Front officer: the programme's sponsors, matches and money in the
    # area. Reads no child's record: the match list shows first name, age band and groups only.
    Role.SPONSORSHIP_COORDINATOR: _grant(Scope.AREA, V.SPONSORSHIP_COORDINATE, V.SPONSORSHIP_OFFER),
    # A sponsor's account: its own offers and sponsorships, never a child's record.
    Role.SPONSOR: _grant(Scope.NONE, V.SPONSORSHIP_OFFER),
    # Runs accounts and checks the audit chain; reads no child's record.
    Role.SYSTEM_ADMINISTRATOR: _grant(Scope.NONE, V.ACCOUNT_MANAGE, V.AUDIT_VERIFY),
}


# Who must give a second factor at sign-in (security review, finding 3; OWASP ASVS 4.0.3 level 2): a
# password alone must not open the whole country, a whole province, or a child's identity papers.
# Read from the table above, so a role given one of these verbs needs the factor at once.
SECOND_FACTOR_VERBS = frozenset({V.CHILD_EXPORT, V.CHILD_PIN_REVEAL})


class SecondFactor(enum.StrEnum):
    ALWAYS = "always"
    # An area role held in a provincial body reaches the whole province; in a commune, one commune.
    IN_A_PROVINCE = "in a province"
    NOT_REQUIRED = "not required"


def second_factor(role: str) -> SecondFactor:
    """Whether ``role`` needs a second factor: always for a national role (every child, or the national
    figures and every account) and for one that may reveal a PIN or export a child's record; for an
    area role, when it is held in a provincial body."""
    grant = POLICY[Role(role)]
    if grant.scope in (Scope.NATION, Scope.NONE) or grant.verbs & SECOND_FACTOR_VERBS:
        return SecondFactor.ALWAYS
    if grant.scope is Scope.AREA:
        return SecondFactor.IN_A_PROVINCE
    return SecondFactor.NOT_REQUIRED


def needs_second_factor(role: str, area_level: str) -> bool:
    """``role`` held in an organisation whose area is at ``area_level`` ("commune" or "province")."""
    rule = second_factor(role)
    return rule is SecondFactor.ALWAYS or (rule is SecondFactor.IN_A_PROVINCE and area_level == "province")


def allows(role: str, verb: Verb) -> bool:
    grant = POLICY.get(Role(role)) if role in Role.values else None
    return grant is not None and verb in grant.verbs
