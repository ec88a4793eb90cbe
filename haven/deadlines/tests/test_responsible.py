"""Decree 123/2015 art. 14; Notice 432-TB/VPTW: one organisation answers for a found child at every
moment, and the escalation ladder starts from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from haven.foundlings import services
from haven.foundlings.models import FoundlingCase


def test_no_open_case_can_ever_have_no_responsible_organisation(world, frozen):
    case = services.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="male",
        condition="Trẻ sơ sinh, khóc to",
    )
    # Enforced by the database itself, not by the services: raw SQL is refused too.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE foundlings_foundlingcase SET responsible_id = NULL")
    assert FoundlingCase.objects.get(pk=case.pk).responsible == world.orgs["hospital_a"]
