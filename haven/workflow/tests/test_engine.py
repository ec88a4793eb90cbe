"""The workflow engine on its own: a toy table over a found child's case, so that what is checked here
is the engine's own promise — one fire() that locks, finds who acts, checks the order, the lawful
times and the named guards (every error at once), moves the clocks, writes the timeline and the
audit event, and tells the next actor — not any pathway's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.accounts.models import Role
from haven.audit.models import AuditEvent
from haven.core.errors import Refused, invalid
from haven.deadlines.models import Obligation, Status
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, State
from haven.notifications.models import Notification
from haven.workflow.engine import SYSTEM, Tell, Transition, Workflow
from haven.workflow.guards import GUARDS, guard

OFFICER = frozenset({Role.COMMUNE_CHILD_PROTECTION_OFFICER})
CHAIRMAN = frozenset({Role.COMMUNE_CHAIRMAN})


@guard("toy.needs_a_name")
def _needs_a_name(firing) -> None:
    """The person gave a name."""
    if not firing.inputs.get("name"):
        raise invalid("name", "Give a name.", "required")


@guard("toy.needs_a_place")
def _needs_a_place(firing) -> None:
    """The person gave a place."""
    if not firing.inputs.get("place"):
        raise invalid("place", "Give a place.", "required")


TOY = Workflow(
    "toy",
    model=FoundlingCase,
    states=State,
    transitions={
        "take_up": Transition(
            frozenset({State.REPORTED}),
            State.ACKNOWLEDGED,
            OFFICER,
            "Take it up",
            closes=("foundling.acknowledge",),
            opens=("foundling.record",),
            tells=(Tell("Your turn", to=lambda f: f.subject.responsible),),
        ),
        "note": Transition(
            frozenset({State.REPORTED, State.ACKNOWLEDGED}),
            None,
            OFFICER,
            guards=("toy.needs_a_name", "toy.needs_a_place"),
            times=("at",),
            after=("take_up",),
        ),
        "post": Transition(
            frozenset({State.REPORTED}),
            State.NOTICE_PERIOD,
            OFFICER,
            opens=("foundling.notice_period",),
            times=("posted_at",),
            waits=(("foundling.notice_period", "notice_posted_at"),),
        ),
        "confirm": Transition(frozenset({State.NOTICE_PERIOD}), None, CHAIRMAN),
        # A step whose clocks depend on what was entered: the firing chooses among the row's own.
        "choose": Transition(
            frozenset({State.REPORTED}),
            None,
            OFFICER,
            closes=("foundling.acknowledge", "foundling.screen"),
            opens=("foundling.record", "foundling.temporary_care"),
            tells=(Tell("For you", to=lambda f: f.subject.responsible, user=lambda f: f.actor),),
        ),
        "expire": Transition(frozenset({State.REPORTED}), State.NOTICE_EXPIRED, SYSTEM),
    },
    responsible=lambda case, code: case.responsible,
    begins=lambda case: (case.found_at, "the child was found"),
    link=lambda case: f"/toy/{case.pk}/",
)
Workflow.registry.pop("toy")  # a test table: not part of the permission document


@pytest.fixture
def case(world, frozen):
    reported = services.foundling_report(
        actor=world.officer_a,
        found_at=frozen.at - dt.timedelta(hours=2),
        found_commune=world.commune_a,
        found_place="Cổng chợ",
        sex="female",
        condition="Khỏe",
    )
    frozen.advance(minutes=10)
    return reported


def written(case) -> tuple[int, int, int]:
    return (
        case.steps.count(),
        AuditEvent.objects.count(),
        Obligation.objects.filter(subject_id=case.pk).count(),
    )


def test_a_step_moves_the_state_clocks_timeline_audit_and_tells_the_next_actor(world, case, frozen):
    step = TOY.fire(case, "take_up", actor=world.officer_a)
    case.refresh_from_db()
    assert case.state == State.ACKNOWLEDGED
    assert (step.action, step.from_state, step.to_state, step.actor) == (
        "take_up",
        State.REPORTED,
        State.ACKNOWLEDGED,
        world.officer_a,
    )
    clocks = dict(Obligation.objects.filter(subject_id=case.pk).values_list("rule", "status"))
    assert clocks["foundling.acknowledge"] == Status.MET and clocks["foundling.record"] == Status.OPEN
    assert AuditEvent.objects.filter(action="toy.take_up", object_id=str(case.pk)).exists()
    told = Notification.objects.get(kind="toy.take_up")
    assert (told.organisation, told.title, told.link) == (case.responsible, "Your turn", f"/toy/{case.pk}/")


def test_a_step_out_of_order_is_refused_and_writes_nothing(world, case):
    before = written(case)
    with pytest.raises(Refused) as refused:
        TOY.fire(case, "confirm", actor=world.chairman_a)
    assert refused.value.code == "out_of_order" and written(case) == before


def test_whoever_sees_the_case_is_told_whose_step_it_is_and_the_rest_get_404(world, case):
    with pytest.raises(Refused) as refused:
        TOY.fire(case, "take_up", actor=world.chairman_a)
    assert refused.value.code == "not_your_step"
    with pytest.raises(NotVisible):
        TOY.fire(case, "take_up", actor=world.officer_b)


def test_a_system_step_is_never_taken_by_a_person(world, case):
    with pytest.raises(Refused):
        TOY.fire(case, "expire", actor=world.officer_a)
    TOY.fire(case, "expire", actor=None)
    case.refresh_from_db()
    assert case.state == State.NOTICE_EXPIRED


def test_every_guard_and_time_error_is_reported_at_once_and_nothing_is_written(world, case, frozen):
    before = written(case)
    with pytest.raises(ValidationError) as error:
        TOY.fire(case, "note", actor=world.officer_a, inputs={"at": frozen.at + dt.timedelta(days=1)})
    assert set(error.value.message_dict) == {"name", "place", "at"}
    assert written(case) == before


def test_the_effect_runs_only_once_every_check_has_passed(world, case, frozen):
    ran = []
    with pytest.raises(ValidationError):
        TOY.fire(case, "note", actor=world.officer_a, inputs={"name": "An"}, effect=ran.append)
    assert ran == []
    TOY.fire(case, "note", actor=world.officer_a, inputs={"name": "An", "place": "Chợ"}, effect=ran.append)
    assert len(ran) == 1


@pytest.mark.parametrize(
    ("entered", "code"),
    [
        (dt.timedelta(days=1), "time_in_future"),
        (-dt.timedelta(days=365 * 40), "time_absurd"),
        (-dt.timedelta(hours=5), "before_timeline"),  # the child was found 2 h 10 min ago
    ],
)
def test_an_entered_time_is_lawful_on_the_cases_own_timeline(world, case, frozen, entered, code):
    with pytest.raises(ValidationError) as error:
        TOY.fire(
            case,
            "note",
            actor=world.officer_a,
            inputs={"name": "An", "place": "Chợ", "at": frozen.at + entered},
        )
    assert error.value.error_dict["at"][0].code == code


def test_an_entered_time_is_not_before_the_step_it_depends_on(world, case, frozen):
    TOY.fire(case, "take_up", actor=world.officer_a)
    frozen.advance(hours=1)
    with pytest.raises(ValidationError) as error:
        TOY.fire(
            case,
            "note",
            actor=world.officer_a,
            inputs={"name": "An", "place": "Chợ", "at": frozen.at - dt.timedelta(minutes=90)},
        )
    assert error.value.error_dict["at"][0].code == "before_previous_step"


def test_a_backdated_legal_wait_runs_from_when_it_was_recorded_until_a_supervisor_confirms(
    world, case, frozen
):
    posted = case.found_at + dt.timedelta(minutes=30)

    def effect(firing):
        case.notice_posted_at = posted
        case.save(update_fields=["notice_posted_at"])
        firing.starts["foundling.notice_period"] = posted

    TOY.fire(case, "post", actor=world.officer_a, inputs={"posted_at": posted}, effect=effect)
    wait = Obligation.objects.get(subject_id=case.pk, rule="foundling.notice_period")
    assert wait.opened_at == frozen.at  # not the earlier time typed in
    with pytest.raises(Refused):  # the person who entered it cannot confirm it
        TOY.confirm_time(
            case,
            "confirm",
            actor=world.officer_a,
            clock_code="foundling.notice_period",
            field_name="notice_posted_at",
            reason="Đã xem",
        )
    TOY.confirm_time(
        case,
        "confirm",
        actor=world.chairman_a,
        clock_code="foundling.notice_period",
        field_name="notice_posted_at",
        reason="Đã kiểm tra biên bản niêm yết",
    )
    wait.refresh_from_db()
    assert wait.opened_at == posted
    assert AuditEvent.objects.filter(action="toy.confirm", data__confirmed_start=posted.isoformat()).exists()


def test_the_next_actor_of_a_step_is_who_may_act_from_the_state_it_enters():
    assert TOY.next_roles("take_up") == OFFICER
    assert TOY.next_roles("note") == frozenset()


def test_shared_guards_are_registered_once_with_what_they_require():
    assert "child_heard" in GUARDS
    with pytest.raises(ValueError, match="declared twice"):
        guard("child_heard")(lambda firing: None)


def test_a_firing_chooses_among_its_rows_clocks_and_only_among_them(world, case, frozen):
    def choose(firing):
        firing.closes = ("foundling.screen",)
        firing.opens = ("foundling.temporary_care",)

    TOY.fire(case, "choose", actor=world.officer_a, effect=choose)
    clocks = dict(Obligation.objects.filter(subject_id=case.pk).values_list("rule", "status"))
    assert clocks == {
        "foundling.acknowledge": Status.OPEN,
        "foundling.screen": Status.MET,
        "foundling.temporary_care": Status.OPEN,
    }
    assert case.steps.get(action="choose").due_at is not None  # the screening clock it met
    with pytest.raises(ValueError, match="row's clocks"):
        TOY.fire(
            case, "choose", actor=world.officer_a, effect=lambda f: setattr(f, "opens", ("foundling.place",))
        )


def test_a_tell_may_be_for_one_person_of_the_organisation(world, case, frozen):
    TOY.fire(case, "choose", actor=world.officer_a)
    told = Notification.objects.get(kind="toy.choose")
    assert (told.organisation, told.user) == (case.responsible, world.officer_a)


def test_a_step_may_start_clocks_that_only_its_own_data_names(world, case, frozen):
    """Firing.also_opens: besides its row's clocks, those the domain's writes name (a case reopened after a
    closure in error runs again the clocks that closure stopped), each once, from the step's moment."""

    def effect(firing):
        firing.also_opens.extend(["foundling.screen", "foundling.record"])

    TOY.fire(case, "take_up", actor=world.officer_a, effect=effect)
    running = Obligation.objects.filter(subject_id=case.pk, status=Status.OPEN)
    assert sorted(running.values_list("rule", flat=True)) == ["foundling.record", "foundling.screen"]
    assert running.get(rule="foundling.record").opened_at == frozen.at


def test_a_row_may_say_in_the_domains_words_why_it_is_not_open(world, case):
    said = Workflow(
        "toy_said",
        model=FoundlingCase,
        states=State,
        transitions={
            "close": Transition(
                frozenset({State.ACKNOWLEDGED}),
                State.DUPLICATE,
                OFFICER,
                refused={State.REPORTED: "Take the report up first."},
            ),
        },
    )
    Workflow.registry.pop("toy_said")
    with pytest.raises(Refused) as refused:
        said.fire(case, "close", actor=world.officer_a)
    assert (refused.value.code, refused.value.message) == ("out_of_order", "Take the report up first.")
    case.state = State.NOTICE_PERIOD  # a state the row says nothing of: the state is named
    with pytest.raises(Refused) as refused:
        said.rule("close", case.state)
    assert str(State.NOTICE_PERIOD.label) in refused.value.message


def test_the_child_heard_is_the_child_the_step_decides_about(world, case):
    # A step that decides about another child than the subject's (Form 12 chooses a family for a
    # child) is held to the same rule: a child of 7 or over is heard first (Law on Children art. 60(3)).
    from haven.core import clock

    older = world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365))
    heard = Workflow(
        "toy_heard",
        model=FoundlingCase,
        states=State,
        transitions={
            "decide": Transition(frozenset({State.REPORTED}), None, OFFICER, guards=("child_heard",))
        },
    )
    Workflow.registry.pop("toy_heard")
    heard.fire(case, "decide", actor=world.officer_a)  # the case's own child: a newborn
    with pytest.raises(Refused) as refused:
        heard.fire(case, "decide", actor=world.officer_a, inputs={"child": older})
    assert refused.value.code == "child_view_missing"


def test_the_reason_a_step_names_is_the_audit_events_reason(world, case):
    """Firing.reason: why the person did what a rule would have refused (a director's named override of
    a full group) is the reason of the step's audit event; a step that names none has none."""

    def override(firing):
        firing.reason = "Ở cùng em gái 5 tuổi"

    TOY.fire(case, "choose", actor=world.officer_a)
    assert AuditEvent.objects.get(action="toy.choose").reason == ""
    TOY.fire(case, "take_up", actor=world.officer_a, effect=override)
    assert AuditEvent.objects.get(action="toy.take_up").reason == "Ở cùng em gái 5 tuổi"
