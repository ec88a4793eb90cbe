"""What a school holds (accounts/holdings.py): this school year's pupils and the children it has been
asked to take. Schools merge, as communes did in 2025: the pupils go to the school that takes over,
which must be registered in Haven and teach their levels, so that no child is left enrolled in a school
that no longer exists (and its officer, who sees only the children enrolled with it, sees them)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.holdings import Holding, Takeover, declare
from haven.accounts.models import Organisation
from haven.core.errors import Refused
from haven.education.ages import Level
from haven.education.models import CURRENT_STATES, Enrolment, School


def _current(organisation: Organisation):
    return Enrolment.objects.filter(school__organisation=organisation, state__in=CURRENT_STATES)


def _move(organisation: Organisation, takeover: Takeover) -> int:
    successor = School.objects.filter(organisation=takeover.successor).first()
    if successor is None:
        raise Refused(
            _(
                "%(school)s is not registered as a school: record its levels first, so the pupils can "
                "move to it."
            )
            % {"school": takeover.successor.name},
            code="successor_not_a_school",
        )
    levels = set(_current(organisation).values_list("level", flat=True).distinct())
    untaught = [Level(level).label for level in sorted(levels) if not successor.teaches(level)]
    if untaught:
        raise Refused(
            _("%(school)s does not teach %(levels)s, which pupils of this school are in.")
            % {"school": successor, "levels": ", ".join(str(label) for label in untaught)},
            code="successor_levels",
        )
    return _current(organisation).update(school=successor)


declare(
    Holding(
        "education.pupils",
        gettext_lazy("pupils enrolled or asked to be enrolled this school year"),
        count=lambda o: _current(o).count(),
        move=_move,
    ),
)
