"""Synthetic children: realistic Vietnamese names, real communes, valid PINs, groups and siblings.

Deterministic by seed (the ciphertexts differ, the people do not). Written with bulk inserts so that
large sizes stay fast; the load is one audit event, not one per synthetic child.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import transaction

from haven.accounts.models import Organisation, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.lib import crypto, vnnames
from haven.lib import pin as pins
from haven.lib.vietnamese import search_key
from haven.people.models import (
    Child,
    Involvement,
    InvolvementBasis,
    SiblingKind,
    SiblingLink,
    SpecialCircumstance,
)

# Rough shares of the art. 10 groups among children known to social protection (illustrative only).
GROUP_WEIGHTS = {
    "HCDB_A": 8,
    "HCDB_B": 6,
    "HCDB_C": 3,
    "HCDB_D": 30,
    "HCDB_DD": 2,
    "HCDB_E": 3,
    "HCDB_G": 1,
    "HCDB_H": 4,
    "HCDB_I": 6,
    "HCDB_K": 2,
    "HCDB_L": 3,
    "HCDB_M": 1,
    "HCDB_N": 25,
    "HCDB_O": 1,
}
EVIDENCE = {
    "HCDB_A": "Trích lục khai tử của cha và mẹ",
    "HCDB_B": "Biên bản xác nhận trẻ bị bỏ rơi (Nghị định 123/2015, điều 14)",
    "HCDB_D": "Giấy xác nhận khuyết tật do UBND xã cấp",
    "HCDB_N": "Giấy chứng nhận hộ nghèo và hồ sơ bệnh án",
}


def make_pin(rng: random.Random, *, province_code: str, sex: str, dob: date, taken: set[str]) -> str:
    digit = pins.century_sex_digit(birth_year=dob.year, sex=sex)
    while True:
        value = f"{int(province_code):03d}{digit}{dob.year % 100:02d}{rng.randrange(1_000_000):06d}"
        if value not in taken:
            taken.add(value)
            return value


@transaction.atomic
def children(
    *,
    size: int,
    seed: int,
    province: Area,
    focus_communes: list[Area],
    organisations: dict[str, Organisation],
    actor: User | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Create ``size`` children in ``province``: half in ``focus_communes`` (the demo users' communes),
    the rest spread over the province's other communes."""
    rng = random.Random(seed)
    today = clock.today()
    communes = list(province.communes())
    keys = settings.HAVEN_FIELD_KEYS
    taken: set[str] = set()
    batch: list[Child] = []
    families: dict[tuple[int, str], list[Child]] = {}
    for _ in range(size):
        commune = rng.choice(focus_communes) if rng.random() < 0.5 else rng.choice(communes)
        sex = rng.choices(("male", "female", "unknown"), weights=(49, 49, 2))[0]
        dob = vnnames.birth_date(rng, min_age_days=30, max_age_days=17 * 365, today=today)
        name = vnnames.person_name(rng, sex=sex, born_year=dob.year)
        child = Child(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            family_name=name.family,
            middle_name=name.middle,
            given_name=name.given,
            sex=sex,
            date_of_birth=dob,
            date_of_birth_estimated=rng.random() < 0.05,
            place_of_birth=f"{commune.name}, {province.name}",
            ethnicity=vnnames.ethnicity(rng),
            current_commune=commune,
            search_name=search_key(name.family, name.middle, name.given),
        )
        if sex != "unknown" and rng.random() < 0.75:
            value = make_pin(rng, province_code=province.code, sex=sex, dob=dob, taken=taken)
            child.pin_encrypted = crypto.encrypt(value, keys=keys)
            child.pin_index = Child.pin_lookup_key(value)
        batch.append(child)
        families.setdefault((commune.pk, name.family), []).append(child)
        progress(1)
    Child.objects.bulk_create(batch, batch_size=500)

    circumstances = []
    for child in batch:
        if rng.random() < 0.85:
            for group in set(
                rng.choices(
                    list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()), k=rng.choice((1, 1, 1, 2))
                )
            ):
                circumstances.append(
                    SpecialCircumstance(
                        child=child,
                        group=group,
                        started_on=max(child.date_of_birth, date(2020, 1, 1)),
                        evidence=EVIDENCE.get(group, "Biên bản xác minh của UBND xã"),
                        recorded_by=actor,
                    )
                )
    SpecialCircumstance.objects.bulk_create(circumstances, batch_size=500)

    # Some children sharing a surname in a commune are siblings, to exercise "keep siblings together".
    links = []
    for group in families.values():
        if len(group) >= 2 and rng.random() < 0.3:
            a, b = group[0], group[1]
            links += [
                SiblingLink(child=a, sibling=b, kind=SiblingKind.FULL, recorded_by=actor),
                SiblingLink(child=b, sibling=a, kind=SiblingKind.FULL, recorded_by=actor),
            ]
    SiblingLink.objects.bulk_create(links, batch_size=500)

    # Organisations outside the commune authority see only the children formally linked to them.
    involvements = []
    for key, basis, share in (
        ("facility_b", InvolvementBasis.PLACEMENT, 0.06),
        ("hospital_a", InvolvementBasis.REFERRAL, 0.04),
        ("school_a", InvolvementBasis.ENROLMENT, 0.08),
        ("womens_union_a", InvolvementBasis.REFERRAL, 0.03),
    ):
        if key in organisations:
            involvements += [
                Involvement(child=c, organisation=organisations[key], basis=basis)
                for c in batch
                if rng.random() < share
            ]
    Involvement.objects.bulk_create(involvements, batch_size=500)
    record(actor=actor, action="synth.children", data={"size": size, "seed": seed, "province": province.code})
    return len(batch)
