"""The open cases of a pathway as something an organisation holds (haven/accounts/holdings.py).

A case changes hands only by its pathway's own ``take_over`` step, so its timeline says who answers
for the child from when, the new holder is told, and the successor is recorded as involved with the
child (and so sees it). One declaration serves every pathway whose case has a ``responsible``
organisation and belongs to a commune (docs/decisions/0014).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise

from haven.accounts.holdings import Holding, Takeover
from haven.accounts.models import Organisation
from haven.deadlines.models import Obligation, Status
from haven.people.models import Involvement
from haven.workflow.engine import Firing, Workflow


def within(area, field: str) -> Q:
    """The cases of ``area``: its own for a commune, its communes' for a province."""
    return Q(**{field: area}) if area.level == "commune" else Q(**{f"{field}__parent": area})


@dataclass(frozen=True)
class OpenCases:
    """The open cases of one pathway. ``commune_field``: the commune whose People's Committee the case
    belongs to; ``basis``: why the successor is involved with the child; ``also``: what else changes
    hands with the case (given the case, the takeover and the fields to save)."""

    flow: Workflow
    open_cases: Callable[[], object]
    commune_field: str
    basis: str
    also: Callable[[object, Takeover, list[str]], None] | None = None

    def take_over(self, case, successor: Organisation, takeover: Takeover) -> None:
        """``successor`` answers for the child from now on, and sees the child."""

        def effect(firing: Firing) -> None:
            previous = case.responsible_id
            case.responsible = successor
            fields = ["responsible", "updated_at"]
            if self.also is not None:
                self.also(case, takeover, fields)
            case.save(update_fields=fields)
            involved = Involvement.objects.current().filter(child=case.child, organisation=successor)
            if not involved.exists():
                Involvement.objects.create(
                    child=case.child, organisation=successor, basis=self.basis, started_at=firing.now
                )
            firing.note = takeover.reason
            firing.data.update({"from": previous, "to": successor.pk, "merge": takeover.merge})

        self.flow.fire(
            case,
            "take_over",
            actor=takeover.actor,
            membership=takeover.membership,
            effect=effect,
            now=takeover.now,
        )

    def move(self, organisation: Organisation, takeover: Takeover) -> int:
        cases = list(self.open_cases().filter(responsible=organisation).select_related("child"))
        for case in cases:
            self.take_over(case, takeover.successor, takeover)
        return len(cases)

    def hand_back(self, stand_in: Organisation, committee: Organisation, takeover: Takeover) -> int:
        """The commune's People's Committee (or a province's Department of Health) joined Haven: the
        cases of its area that the body standing in for it answered for are its own now, with the
        clocks that body carried for them."""
        there = within(committee.area, self.commune_field)
        cases = list(self.open_cases().filter(there, responsible=stand_in).select_related("child"))
        for case in cases:
            self.take_over(case, committee, takeover)
        Obligation.objects.filter(
            subject_type=self.flow.model._meta.label_lower,
            subject_id__in=self.open_cases().filter(there).values("pk"),
            responsible=stand_in,
            status=Status.OPEN,
        ).update(responsible=committee)
        return len(cases)

    def holding(self, code: str, label: str | Promise) -> Holding:
        return Holding(
            code,
            label,
            count=lambda o: self.open_cases().filter(responsible=o).count(),
            move=self.move,
            hand_back=self.hand_back,
        )
