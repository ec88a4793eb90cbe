"""Who takes each step of the found-child pathway that has a deadline (haven/deadlines/duties.py):
the roles the table gives the action that meets the deadline, once the case is in a state that action
leaves. Timers (the 7-day notice) and the population register's answer (the PIN) are nobody's task.
"""

from __future__ import annotations

from haven.deadlines.duties import Duty, declare
from haven.foundlings import workflow
from haven.foundlings.models import FoundlingCase

SUBJECT = FoundlingCase._meta.label_lower


def _by(rule: str, action: str, *, early: bool = False) -> Duty:
    step = workflow.TRANSITIONS[action]
    return Duty(
        rule, SUBJECT, frozenset(step.roles), ready=frozenset(s.value for s in step.sources), early=early
    )


DUTIES = (
    _by("foundling.acknowledge", "acknowledge"),
    _by("foundling.screen", "screen"),
    _by("foundling.record", "record"),
    _by("foundling.temporary_care", "decide_temporary_care"),
    # Notice 432-TB/VPTW §2: the receiver answers within hours; the child waits for nobody else. The
    # answer to a move out of hospital after the discharge is the same task, in the states it is taken.
    Duty(
        "foundling.handover_answer",
        SUBJECT,
        frozenset(workflow.RECEIVERS),
        ready=frozenset(
            s.value
            for s in (
                *workflow.TRANSITIONS["accept_handover"].sources,
                *workflow.TRANSITIONS["accept_move"].sources,
            )
        ),
        early=True,
    ),
    _by("foundling.post_notice", "post_notice"),
    _by("foundling.claim_decision", "reunify"),
    # Decree 123/2015 art. 14(2)–(3): once the notice has expired the birth is the civil-status
    # officer's to register, whatever the deadline window.
    _by("foundling.register_birth", "register_birth", early=True),
    _by("foundling.residence", "record_residence"),
    _by("foundling.health_insurance", "record_health_insurance"),
    _by("foundling.allowance", "decide_allowance"),
    _by("foundling.care_plan", "plan_care"),
    _by("foundling.place", "place"),
    _by("foundling.review", "review"),
    # The Từ Dũ lesson (vietnam-process.md §2): after medical discharge the commune moves the child out
    # of hospital, by deciding temporary care or moving the child on from a hospital hold; whatever the
    # case's state.
    Duty("foundling.hospital_discharge", SUBJECT, frozenset(workflow.COMMUNE_STEP)),
)


def register() -> None:
    declare(*DUTIES)
