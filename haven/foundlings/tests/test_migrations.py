"""The data migrations of the found-child pathway fill in, for cases reported before, what Haven now
records when a case opens: the reporting organisation (walkthrough D6) and the group "abandoned"
(walkthrough D26) — a child returned home is no longer in it, a second report is not counted."""

from __future__ import annotations

import importlib

from django.apps import apps

from haven.foundlings import services
from haven.foundlings.models import FoundlingCase
from haven.foundlings.tests.test_pathway import report
from haven.people.models import SpecialCircumstance


def run(name: str, function: str) -> None:
    getattr(importlib.import_module(f"haven.foundlings.migrations.{name}"), function)(apps, None)


def test_cases_reported_before_get_their_reporter_and_their_group(world, frozen):
    hospital = report(world, frozen)
    public = services.foundling_report(
        actor=None,
        found_at=frozen.at,
        found_commune=world.commune_b,
        found_place="Chợ",
        sex="female",
        condition="x",
    )
    home = report(world, frozen)
    FoundlingCase.objects.filter(pk=home.pk).update(state="reunified", closed_at=frozen.at)
    second = report(world, frozen)
    FoundlingCase.objects.filter(pk=second.pk).update(state="duplicate", closed_at=frozen.at)
    # As recorded before: no reporter kept on the case, no group.
    FoundlingCase.objects.update(reporting_organisation=None)
    SpecialCircumstance.objects.all().delete()

    run("0004_foundlingcase_reporting_organisation", "from_the_report_step")
    run("0005_found_children_are_abandoned", "record_the_group")

    reporters = dict(FoundlingCase.objects.values_list("pk", "reporting_organisation"))
    assert reporters[hospital.pk] == world.orgs["hospital_a"].pk and reporters[public.pk] is None
    groups = {c.child_id: c for c in SpecialCircumstance.objects.filter(group="HCDB_B")}
    assert groups[hospital.child_id].ended_on is None and groups[public.child_id].recorded_by is None
    assert groups[home.child_id].ended_on is not None
    assert second.child_id not in groups
    run("0005_found_children_are_abandoned", "record_the_group")  # run twice, recorded once
    assert SpecialCircumstance.objects.filter(group="HCDB_B").count() == 3
