"""Every home page's "today" lists exactly the steps its reader can take, and agrees with the module
lists it summarises (walkthrough D14; issue 12 item 4). Refused: a civil-status officer is not given
the commune's reception steps, a caregiver not the director's answer, a hospital not the commune's
visits."""

from __future__ import annotations

import re

from haven.core.tests.demo import build, personas
from haven.deadlines.duties import DUTIES
from haven.deadlines.rules import RULES
from haven.deadlines.selectors import tasks_for
from haven.deadlines.sweep import sweep
from haven.foundlings import services as foundlings
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report
from haven.prevention import services as prevention
from haven.prevention.models import Village

TASK = re.compile(r'data-task="([0-9a-f-]{36})"')


def tasks_on(client, path: str) -> set[str]:
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    return set(TASK.findall(response.content.decode()))


def test_every_clock_a_person_must_act_on_names_who_acts():
    """A clock with no duty would be nobody's task: only the timers (the sweep acts) and the
    population register's answer (the register acts) have none."""
    waits = {code for code, rule in RULES.items() if rule.on_due} | {"foundling.pin"}
    assert set(RULES) - set(DUTIES) == waits
    assert all(duty.roles or duty.assigned_roles for duty in DUTIES.values())


def test_the_collaborators_today_is_her_round(world, client, frozen):
    village = Village.objects.create(commune=world.commune_a, name="Thôn Đông")
    prevention.coverage_assign(actor=world.officer_a, collaborator=world.collaborator_a, village=village)
    for given in ("Hoa", "Lan"):
        prevention.person_flag(
            actor=world.collaborator_a,
            family_name="Nguyễn",
            middle_name="Thị",
            given_name=given,
            birth_year=2001,
            commune=world.commune_a,
            village=village,
            pregnant=True,
            consent=True,
            risk_factors=["single_mother"],
        )
    frozen.advance(days=4)  # both first contacts are now overdue
    prevention.person_flag(
        actor=world.collaborator_a,
        family_name="Trần",
        middle_name="Thị",
        given_name="Mai",
        birth_year=1999,
        commune=world.commune_a,
        village=village,
        pregnant=True,
        consent=True,
        risk_factors=["unintended_pregnancy"],
    )
    tasks = tasks_for(user=world.collaborator_a)
    assert (tasks.overdue.total, tasks.week.total) == (2, 1)
    client.force_login(world.collaborator_a)
    home, round_ = tasks_on(client, "/"), tasks_on(client, "/prevention/")
    assert home == round_ and len(home) == 3
    assert tasks_for(user=world.hospital_sw).empty  # the commune's visits are not the hospital's


def test_the_civil_status_officer_is_given_the_birth_registration_and_not_the_communes_steps(
    world, client, frozen
):
    waiting = report(world, frozen)  # to be acknowledged and screened: the commune's steps
    expired = report(world, frozen)
    foundlings.foundling_acknowledge(actor=world.officer_a, case=expired)
    foundlings.foundling_screen(actor=world.hospital_sw, case=expired, screened_at=frozen.at, **VITALS)
    foundlings.foundling_record(actor=world.officer_a, case=expired, **RECORD)
    handover = foundlings.foundling_decide_temporary_care(
        actor=world.officer_a, case=expired, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    foundlings.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    foundlings.foundling_post_notice(actor=world.officer_a, case=expired)
    frozen.advance(days=7, minutes=1)
    sweep(now=frozen.at)

    mine = tasks_for(user=world.civil_status_a).shown
    assert [(o.rule, o.subject_id) for o in mine] == [("foundling.register_birth", expired.pk)]
    officer = {o.rule for o in tasks_for(user=world.officer_a).shown if o.subject_id == waiting.pk}
    assert "foundling.acknowledge" in officer  # still the officer's, overdue by now
    client.force_login(world.civil_status_a)
    assert tasks_on(client, "/") == {str(mine[0].pk)} == tasks_on(client, "/foundlings/")
    assert (
        f"/foundlings/{expired.pk}/register_birth/"
        in client.get(f"/foundlings/{expired.pk}/").content.decode()
    )


# Personas whose demo day has steps of their own (haven/core/tests/demo.py): the principle below
# must not hold only because every list is empty.
BUSY = {
    "collaborator",
    "commune.officer",
    "commune.officer.b",
    "chairman",
    "civil.status",
    "facility.director",
    "facility.sw",
    "facility.sos",
    "school",  # the demo's requests to enrol a child, which the school answers
    "province",  # the demo's second-time complaint, which the province settles
}
MENU = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)
HREF = re.compile(r'href="(/[^"]*)"')


def test_every_personas_today_is_the_union_of_its_modules_steps(db, client):
    """For every persona of the demo: the steps on the home page are exactly the steps the module
    pages of the menu show as theirs (found children, child protection, prevention, care,
    allowances, school, complaints), none missing from a module and none only on the home page."""
    demo = build()
    for name, user in personas(demo).items():
        client.force_login(user)
        home = client.get("/").content.decode()
        menu = dict.fromkeys(HREF.findall(MENU.search(home).group(1)))
        modules: set[str] = set()
        for path in menu:
            if path.split("/")[1] in (
                "foundlings",
                "protection",
                "prevention",
                "care",
                "entitlements",
                "education",
                "complaints",
            ):
                modules |= tasks_on(client, path)
        today = set(TASK.findall(home))
        assert today == modules, (
            f"{name}: only on the home page {today - modules}, only in modules {modules - today}"
        )
        assert today == {str(o.pk) for o in tasks_for(user=user).shown}
        assert bool(today) == (name in BUSY), name
        client.logout()
