"""Changing the rules of entitlements: an authorised officer adds a dated amount or coefficient, or
corrects one (its end, its citation, the mark that it was checked against the official text). Every
change is audited, kept in the row's history, and refused — with nothing changed — when the row would
overlap another for the same level or group on the same day: on any day exactly one row answers.

Who: the Ministry of Health keeps the national amounts and the coefficients; a province's Department
of Health keeps its province's higher level (Decree 20/2021/NĐ-CP art. 4(3) as amended by Decree
76/2024/NĐ-CP: the provincial People's Council may set a higher standard level).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Role, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems, Refused
from haven.entitlements.models import (
    ALLOWANCE_GROUNDS,
    PROVINCIAL_KEYS,
    BenefitRule,
    CareSituation,
    Parameter,
    ParameterKey,
    Programme,
)

# The law's amounts are dated from the decrees that set them; a date before 2000 or years ahead is a
# typing error, not a rule.
EARLIEST = dt.date(2000, 1, 1)
AHEAD_YEARS = 5
MAX_VND = 100_000_000
MAX_COEFFICIENT = Decimal("20")
MAX_AGE = 30
CITED = ("citation", "citation_en", "verified", "verification_note")
PARAMETER_FIELDS = ("value", "valid_from", "valid_to", *CITED)
RULE_FIELDS = ("coefficient", "age_from", "age_to", "requires_studying", "valid_from", "valid_to", *CITED)


def _shown(day: dt.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def rules_membership(actor: User, province: Area | None) -> Membership:
    """The membership through which ``actor`` changes a row: the Ministry for national rows and the
    coefficients, a province's department for its own province's level. Others are told why; a user
    who may change no rule at all is not found (404)."""
    through = granting(actor, Verb.ENTITLEMENT_RULES)
    if not through:
        raise NotVisible
    for m in through:
        if m.role == Role.MINISTRY_OFFICER:
            return m
        if (
            province is not None
            and m.role == Role.PROVINCIAL_OFFICER
            and m.organisation.area_id == province.pk
        ):
            return m
    if province is None:
        raise Refused(
            _(
                "Only the Ministry of Health keeps the national amounts and the coefficients; a province "
                "sets only its own higher level."
            ),
            code="not_yours",
        )
    raise Refused(_("You may set the level of your own province only."), code="not_yours")


def may_change(actor: User, province: Area | None) -> bool:
    try:
        rules_membership(actor, province)
    except (NotVisible, Refused):
        return False
    return True


# --- Checks every row shares ---------------------------------------------------------------------


def _check_dates(problems: Problems, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    latest = clock.today().replace(year=clock.today().year + AHEAD_YEARS)
    if valid_from is None:
        problems.add("valid_from", _("Give the first day it applies."), "required")
    elif not EARLIEST <= valid_from <= latest:
        problems.add("valid_from", _("This date is not plausible: check the year."), "implausible")
    if valid_to is not None and valid_from is not None and valid_to <= valid_from:
        problems.add("valid_to", _("It must end after it starts."), "before_start")


def _check_citation(problems: Problems, row: Parameter | BenefitRule, changed: dict | None = None) -> None:
    """A citation, and a value marked as checked says where the text was read: when it is marked in a
    correction, the note is written in the same correction (not the note of why it was not checked)."""
    row.citation = (row.citation or "").strip()
    row.citation_en = (row.citation_en or "").strip()
    row.verification_note = (row.verification_note or "").strip()
    if not row.citation:
        problems.add("citation", _("Give the legal basis, as the law names it."), "required")
    newly = changed is not None and "verified" in changed and "verification_note" not in changed
    if row.verified and (not row.verification_note or newly):
        problems.add(
            "verification_note",
            _("Say where the official text was read before marking the value as checked."),
            "required",
        )


def _overlap(problems: Problems, clash, what: str) -> None:
    if clash is not None:
        problems.add(
            "valid_from",
            _(
                "This overlaps %(what)s in force from %(from)s%(to)s: on any day only one may apply. "
                "End that one first, or choose other dates."
            )
            % {
                "what": what,
                "from": _shown(clash.valid_from),
                "to": (" " + _("to %(day)s") % {"day": _shown(clash.valid_to)}) if clash.valid_to else "",
            },
            "overlap",
        )


def _save(row, *, actor: User, membership: Membership, action: str, changed: dict[str, Any]) -> None:
    row._history_user = actor
    row._change_reason = action
    row.save()
    record(
        actor=actor,
        action=f"entitlement.{action}",
        obj=row,
        organisation=membership.organisation,
        data={"changed": {k: [str(a) if a is not None else None, str(b)] for k, (a, b) in changed.items()}},
    )


def _changes(row, fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, tuple[Any, Any]]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    changed = {}
    for name, value in fields.items():
        before = getattr(row, name)
        if before != value:
            changed[name] = (before, value)
            setattr(row, name, value)
    return changed


# --- Amounts (the standard level) ----------------------------------------------------------------


def _check_parameter(row: Parameter, changed: dict | None = None) -> None:
    problems = Problems()
    if row.key not in ParameterKey.values:
        problems.add("key", _("Choose the amount."), "required")
    if row.province is not None and row.province.level != "province":
        problems.add("province", _("Choose a province from the list."), "unknown_province")
    elif row.province is None and row.key in PROVINCIAL_KEYS:
        # Resolution 217/2025/QH15 art. 2: the province's People's Council sets the tuition support.
        problems.add(
            "province",
            _("The tuition support at a private school is set by each province: choose the province."),
            "provincial_only",
        )
    elif row.province is not None and row.key == ParameterKey.LEARNING_COSTS:
        problems.add(
            "province", _("The learning-cost support is one amount for the whole country."), "national_only"
        )
    if not isinstance(row.value, int) or not 0 < row.value <= MAX_VND:
        problems.add("value", _("Give the amount in đồng, more than 0."), "invalid_amount")
    _check_dates(problems, row.valid_from, row.valid_to)
    _check_citation(problems, row, changed)
    if "valid_from" not in problems and "valid_to" not in problems and "value" not in problems:
        same = Parameter.objects.filter(key=row.key, province=row.province).exclude(pk=row.pk)
        _overlap(problems, same.overlapping(row.valid_from, row.valid_to).first(), _("another amount"))
        if row.province is not None:
            lower = (
                Parameter.objects.filter(key=row.key, province=None, value__gte=row.value)
                .overlapping(row.valid_from, row.valid_to)
                .first()
            )
            if lower is not None:
                problems.add(
                    "value",
                    _(
                        "A province may only set a higher level than the national one (%(value)s đồng "
                        "from %(from)s)."
                    )
                    % {
                        "value": formats.number_format(lower.value, force_grouping=True),
                        "from": _shown(lower.valid_from),
                    },
                    "not_higher",
                )
    problems.raise_any()


@transaction.atomic
def parameter_add(
    *,
    actor: User,
    value: int,
    valid_from: dt.date,
    citation: str,
    valid_to: dt.date | None = None,
    province: Area | None = None,
    citation_en: str = "",
    verified: bool = False,
    verification_note: str = "",
    end_current: bool = False,
    key: str = ParameterKey.STANDARD_LEVEL,
) -> Parameter:
    """A new dated amount. ``end_current``: the amount in force for the same level, open-ended and
    begun before, ends the day this one starts (a new decree raising the level)."""
    membership = rules_membership(actor, province)
    row = Parameter(
        key=key,
        province=province,
        value=value,
        valid_from=valid_from,
        valid_to=valid_to,
        citation=citation,
        citation_en=citation_en,
        verified=verified,
        verification_note=verification_note,
    )
    if end_current and valid_from is not None:
        current = (
            Parameter.objects.select_for_update(of=("self",))
            .filter(key=key, province=province, valid_to=None, valid_from__lt=valid_from)
            .first()
        )
        if current is not None:
            changed = _changes(current, {"valid_to": valid_from}, PARAMETER_FIELDS)
            _save(current, actor=actor, membership=membership, action="parameter_change", changed=changed)
    _check_parameter(row)
    _save(
        row,
        actor=actor,
        membership=membership,
        action="parameter_add",
        changed={name: (None, getattr(row, name)) for name in ("key", "province", *PARAMETER_FIELDS)},
    )
    return row


@transaction.atomic
def parameter_change(*, actor: User, parameter: Parameter, **fields: Any) -> Parameter:
    """Correct an amount: its value, its dates, its citation or the mark that it was checked."""
    membership = rules_membership(actor, parameter.province)
    row = Parameter.objects.select_for_update(of=("self",)).get(pk=parameter.pk)
    changed = _changes(row, fields, PARAMETER_FIELDS)
    _check_parameter(row, changed)
    if changed:
        _save(row, actor=actor, membership=membership, action="parameter_change", changed=changed)
    return row


# --- Coefficients (benefit rules) ----------------------------------------------------------------


def _coefficient(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _check_rule(row: BenefitRule, changed: dict | None = None) -> None:
    problems = Problems()
    for name, choices, message in (
        ("programme", (Programme.MONTHLY_ALLOWANCE,), _("Choose the programme.")),
        ("ground", ALLOWANCE_GROUNDS, _("Choose the ground.")),
        ("care_situation", CareSituation, _("Choose the care situation.")),
        ("base", (ParameterKey.STANDARD_LEVEL,), _("Choose the amount the coefficient applies to.")),
    ):
        allowed = choices.values if hasattr(choices, "values") else [c.value for c in choices]
        if getattr(row, name) not in allowed:
            problems.add(name, message, "required")
    coefficient = _coefficient(row.coefficient)
    if coefficient is None or not Decimal(0) < coefficient <= MAX_COEFFICIENT:
        problems.add("coefficient", _("Give a coefficient more than 0, such as 2.5."), "invalid_coefficient")
    else:
        row.coefficient = coefficient
    if row.age_from is None or not 0 <= row.age_from < MAX_AGE:
        problems.add("age_from", _("Give the age in full years the rule applies from."), "invalid_age")
    elif row.age_to is not None and not row.age_from < row.age_to <= MAX_AGE:
        problems.add("age_to", _("The upper age must be more than the lower one."), "invalid_age")
    _check_dates(problems, row.valid_from, row.valid_to)
    _check_citation(problems, row, changed)
    if not problems.errors:
        same = BenefitRule.objects.filter(
            programme=row.programme, ground=row.ground, care_situation=row.care_situation
        ).exclude(pk=row.pk)
        # Age bands [from, to) that share a year, on dates that share a day.
        if row.age_to is not None:
            same = same.filter(age_from__lt=row.age_to)
        clash = next(
            (
                r
                for r in same.overlapping(row.valid_from, row.valid_to)
                if r.age_to is None or r.age_to > row.age_from
            ),
            None,
        )
        _overlap(problems, clash, _("another rule for the same group and age"))
    problems.raise_any()


@transaction.atomic
def rule_add(
    *,
    actor: User,
    programme: str,
    ground: str,
    care_situation: str,
    age_from: int,
    coefficient: Decimal,
    valid_from: dt.date,
    citation: str,
    age_to: int | None = None,
    requires_studying: bool = False,
    valid_to: dt.date | None = None,
    citation_en: str = "",
    verified: bool = False,
    verification_note: str = "",
    base: str = ParameterKey.STANDARD_LEVEL,
) -> BenefitRule:
    membership = rules_membership(actor, None)
    row = BenefitRule(
        programme=programme,
        ground=ground,
        care_situation=care_situation,
        age_from=age_from,
        age_to=age_to,
        requires_studying=requires_studying,
        coefficient=coefficient,
        base=base,
        valid_from=valid_from,
        valid_to=valid_to,
        citation=citation,
        citation_en=citation_en,
        verified=verified,
        verification_note=verification_note,
    )
    _check_rule(row)
    _save(
        row,
        actor=actor,
        membership=membership,
        action="rule_add",
        changed={
            name: (None, getattr(row, name))
            for name in ("programme", "ground", "care_situation", "base", *RULE_FIELDS)
        },
    )
    return row


@transaction.atomic
def rule_change(*, actor: User, rule: BenefitRule, **fields: Any) -> BenefitRule:
    """Correct a rule: its coefficient, age band, dates, citation or the mark that it was checked."""
    membership = rules_membership(actor, None)
    row = BenefitRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    changed = _changes(row, fields, RULE_FIELDS)
    _check_rule(row, changed)
    if changed:
        _save(row, actor=actor, membership=membership, action="rule_change", changed=changed)
    return row
