"""Children of the persona world with what an allowance needs (a PIN the population register knows, an
art. 10 group), and the steps that take an application to the chairman's decision."""

from __future__ import annotations

import datetime as dt

from haven.accounts.models import Role
from haven.core import calendar, clock
from haven.core.testing import member
from haven.entitlements import services
from haven.entitlements.models import Application, Entitlement
from haven.lib import pin as pins
from haven.people.models import CircumstanceGroup, SpecialCircumstance
from haven.people.services import _set_pin

_serial = iter(range(100, 999_999))


def with_pin(world, *, born: dt.date, commune=None, sex: str = "female", group=CircumstanceGroup.HCDB_B):
    """A child of ``commune`` (A) born on ``born``, abandoned (art. 10 b) since birth, with a PIN."""
    child = world.child(commune=commune, date_of_birth=born, sex=sex)
    pin = (
        f"001{pins.century_sex_digit(birth_year=born.year, sex=sex)}{born.year % 100:02d}{next(_serial):06d}"
    )
    _set_pin(child, pin)
    child.save()
    SpecialCircumstance.objects.create(
        child=child, group=group, started_on=born, evidence="Biên bản phát hiện trẻ bị bỏ rơi"
    )
    return child


def chairman_b(world):
    if "chairman_b" not in world.users:
        world.users["chairman_b"] = member("chairman_b", world.orgs["committee_b"], Role.COMMUNE_CHAIRMAN)
    return world.users["chairman_b"]


def applied(world, child, *, received_on: dt.date | None = None) -> Application:
    return services.application_apply(
        actor=world.officer_a,
        child=child,
        received_on=received_on or clock.today(),
        ground="abandoned",
        care_situation="community",
        applicant_name="Nguyễn Thị Hoa",
    )


def at(day: dt.date, hour: int = 10):
    """The one clock on ``day`` at ``hour`` in Vietnam (the steps are recorded then)."""
    return clock.at(calendar.day_start(day) + dt.timedelta(hours=hour))


def decided(world, child, *, on: dt.date | None = None, number: str = "15/QĐ-UBND") -> Entitlement:
    """Applied for, checked and decided on ``on`` (today), each step recorded that day: the child's
    running period."""
    on = on or clock.today()
    with at(on):
        application = applied(world, child, received_on=on)
        services.application_verify(actor=world.officer_a, application=application)
        services.application_decide(
            actor=world.chairman_a, application=application, decision_number=number, decided_on=on
        )
    return Entitlement.objects.get(decision=application)
