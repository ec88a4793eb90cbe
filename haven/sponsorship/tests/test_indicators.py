"""Sponsorship's figures for the registry count what they say: the children sponsored by programme,
the disbursements the carer confirmed, the money received by commune."""

from __future__ import annotations

from haven.core import clock
from haven.reports.compute import Window
from haven.reports.periods import Kind, current
from haven.reports.registry import INDICATORS
from haven.sponsorship import indicators, services
from haven.sponsorship.tests.test_resources import code_sent, pay


def test_the_indicators_are_in_the_registry():
    assert {"HV.SPONSOR.CHILDREN", "HV.SPONSOR.EARLY", "HV.SPONSOR.CONFIRMED", "HV.SPONSOR.RECEIVED"} <= set(
        INDICATORS
    )


def test_children_sponsored_confirmed_disbursements_and_money_received(scene):
    window = Window.of(current(Kind.MONTH), clock.now())
    scene.receive(3_000_000, "FT001")
    first = pay(scene, scene.matched())
    services.disbursement_confirm(entry=first, code=code_sent())
    commune = scene.world.commune_a.pk
    sponsored = [f for f in indicators.sponsored(window) if f.dimension == "category"]
    assert [(f.area_id, f.category, f.numerator) for f in sponsored] == [(commune, "con_nuoi_cong_an_xa", 1)]
    confirmed = [f for f in indicators.confirmed(window) if f.dimension == ""]
    assert [(f.numerator, f.denominator) for f in confirmed] == [(1, 1)]
    assert [(f.area_id, f.numerator) for f in indicators.received(window)] == [(commune, 3_000_000)]
