"""What an organisation holds of the children themselves (accounts/holdings.py): its current
involvements, which are what lets a hospital, a facility or a school see a child. They follow the
organisation that takes over its work; without one they end with it.

A child placed in a facility's small group moves only by a decision on the child (Law on Children
art. 69; Decree 56/2017 art. 48: Form 16), never by an administrator closing the facility, so a
facility with children placed cannot be closed or merged until their care has been decided."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, Takeover, declare
from haven.accounts.models import Organisation
from haven.people.models import Involvement, InvolvementBasis


def _current(organisation: Organisation):
    return Involvement.objects.current().filter(organisation=organisation)


def _runs_a_facility(organisation: Organisation) -> bool:
    return Organisation.objects.filter(pk=organisation.pk, care_facility__isnull=False).exists()


def _placed(organisation: Organisation):
    return _current(organisation).filter(basis=InvolvementBasis.PLACEMENT)


def _move(organisation: Organisation, takeover: Takeover) -> int:
    """Each current involvement ends now and the successor's begins, on the same basis (kept once)."""
    rows = list(_current(organisation))
    successor, now = takeover.successor, takeover.now
    held = set(_current(successor).values_list("child_id", "basis"))
    Involvement.objects.bulk_create(
        Involvement(child_id=r.child_id, organisation=successor, basis=r.basis, started_at=now)
        for r in {(r.child_id, r.basis): r for r in rows if (r.child_id, r.basis) not in held}.values()
    )
    _current(organisation).update(ended_at=now)
    return len(rows)


declare(
    Holding(
        "people.placed",
        _("children placed in its facility's small groups"),
        count=lambda o: _placed(o).count() if _runs_a_facility(o) else 0,
        refusal=_(
            "A child placed in a facility moves only by a decision on the child's care (Form 16): "
            "decide each child's care first."
        ),
    ),
    Holding(
        "people.involvements",
        _("children it is involved with"),
        count=lambda o: _current(o).count(),
        move=_move,
        needs_successor=False,
        release=lambda o, t: _current(o).update(ended_at=t.now),
    ),
)
