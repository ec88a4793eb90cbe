"""Keeping the list of schools: an organisation of kind "school" with its profile (levels, public or
not, commune, official code)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Organisation, OrganisationKind, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core.errors import Problems
from haven.education.ages import LEVEL_ORDER, Level
from haven.education.models import School

CODE = re.compile(r"^[0-9A-Za-z.\-]{3,20}$")
MAX_FEE = 100_000_000


def may_register_in(user: User, commune: Area) -> bool:
    """A commune officer registers the schools of the commune; a province's department those of its
    communes; a national role any."""
    for m in granting(user, Verb.EDUCATION_SCHOOLS):
        scope = POLICY[m.role].scope
        if scope is Scope.NATION:
            return True
        area = m.organisation.area
        if area.pk == commune.pk or (area.level == "province" and commune.parent_id == area.pk):
            return True
    return False


@transaction.atomic
def school_register(
    *,
    actor: User,
    name: str,
    commune: Area | None,
    code: str,
    first_level: str,
    last_level: str,
    public: bool,
    monthly_fee: int | None = None,
) -> School:
    problems = Problems()
    name, code = (name or "").strip(), (code or "").strip()
    if not name:
        problems.add("name", _("Give the school's name."), "required")
    elif len(name) > 200:
        problems.add("name", _("The name is too long."), "too_long")
    if commune is None or commune.level != "commune":
        problems.add("commune", _("Choose a commune from the list."), "unknown_commune")
    if not CODE.match(code):
        problems.add("code", _("The official code has 3 to 20 letters, digits, dots or hyphens."), "bad_code")
    elif School.objects.filter(code__iexact=code).exists():
        problems.add("code", _("Another school already has this code."), "duplicate_code")
    levels = [first_level in Level.values, last_level in Level.values]
    if not all(levels):
        problems.add("first_level", _("Choose the levels the school teaches."), "unknown_level")
    elif LEVEL_ORDER.index(first_level) > LEVEL_ORDER.index(last_level):
        problems.add("last_level", _("The highest level cannot be below the lowest."), "levels_reversed")
    if monthly_fee is not None and public:
        problems.add(
            "monthly_fee", _("A public school charges no tuition: leave the fee empty."), "public_no_fee"
        )
    elif monthly_fee is not None and not 0 < monthly_fee <= MAX_FEE:
        problems.add("monthly_fee", _("Give the fee in đồng a month, more than 0."), "invalid_amount")
    problems.raise_any()
    if not may_register_in(actor, commune):
        raise NotVisible
    organisation = Organisation.objects.create(name=name, kind=OrganisationKind.SCHOOL, area=commune)
    try:
        with transaction.atomic():
            school = School.objects.create(
                organisation=organisation,
                code=code,
                first_level=first_level,
                last_level=last_level,
                public=bool(public),
                monthly_fee=monthly_fee,
            )
    except IntegrityError:
        raise ValidationError(
            {"code": [ValidationError(_("Another school already has this code."), code="duplicate_code")]}
        ) from None
    record(
        actor=actor,
        action="education.school_register",
        obj=school,
        data={
            "code": code,
            "commune": commune.code,
            "levels": [first_level, last_level],
            "public": public,
            "monthly_fee": monthly_fee,
        },
    )
    return school
