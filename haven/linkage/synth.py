"""Demo data for the review queue (`haven synth`): a synthetic run over the demo's children, so that
`make demo` shows automatic links, review items and duplicates to decide.

The demo register service (`haven synth population`) is generated independently of Haven's demo
children, so a run against it finds almost nothing; here an extract is made from the children
themselves (some exact with the same PIN, some without a PIN in Haven, some with a PIN that differs,
names written without diacritics) among generated people of the register, and two children are
registered a second time at another place."""

from __future__ import annotations

import random

import pandas as pd

from haven.accounts.synth import DemoWorld
from haven.audit.services import record
from haven.core import clock
from haven.lib import pin as pins
from haven.lib.vietnamese import fold, search_key
from haven.linkage import run
from haven.people.models import Child
from haven.population.generate import population

SEX = {"male": "M", "female": "F"}


def _row(child: Child, pin: str, *, folded: bool = False) -> dict:
    name = (child.family_name, child.middle_name, child.given_name)
    if folded:
        name = tuple(" ".join(w.capitalize() for w in fold(part).split()) for part in name)
    return {
        "id": f"DEMO{str(child.pk)[:8]}",
        "family_name": name[0],
        "middle_name": name[1],
        "given_name": name[2],
        "sex": SEX[child.sex],
        "date_of_birth": child.date_of_birth.isoformat(),
        "dob_estimated": "1" if child.date_of_birth_estimated else "0",
        "pin": pin,
        "commune_code": child.current_commune.code,
        "province_code": child.current_commune.parent.code,
        "mother_name": "",
        "father_name": "",
    }


def _pin(rng: random.Random, child: Child) -> str:
    digit = pins.century_sex_digit(birth_year=child.date_of_birth.year, sex=child.sex)
    province = int(child.current_commune.parent.code)
    return f"{province:03d}{digit}{child.date_of_birth.year % 100:02d}{rng.randrange(1_000_000):06d}"


def demo(world: DemoWorld, *, seed: int) -> tuple[int, int]:
    """Run the linkage on the demo's children; returns (links, review items)."""
    rng = random.Random(seed)
    children = list(
        Child.objects.filter(
            current_commune__in=[world.commune_a, world.commune_b],
            merged_into__isnull=True,
            date_of_birth__isnull=False,
            sex__in=["male", "female"],
        )
        .select_related("current_commune__parent")
        .order_by("pk")
    )
    rng.shuffle(children)
    with_pin = [c for c in children if c.pin_encrypted]
    without_pin = [c for c in children if not c.pin_encrypted]
    rows = [_row(c, c.pin) for c in with_pin[:12]]  # the same PIN: automatic links
    rows += [_row(c, _pin(rng, c), folded=i % 2 == 0) for i, c in enumerate(without_pin[:5])]  # review
    rows += [_row(c, _pin(rng, c)) for c in with_pin[12:14]]  # a different PIN: review
    columns = list(rows[0]) if rows else []
    noise = population(2_000, seed=seed, today=clock.today())[columns] if rows else pd.DataFrame()
    frame = pd.concat([pd.DataFrame(rows), noise], ignore_index=True)
    linked, _ = run.link_register(
        register_frame=frame, province_code=world.province.code, source_name="synthetic extract (demo)"
    )
    # Two children registered a second time in the other demo commune, as a hospital or a facility
    # might: the duplicates run proposes them for review.
    admin = world.users["admin"][0]
    for child in without_pin[5:7]:
        other = world.commune_b if child.current_commune_id == world.commune_a.pk else world.commune_a
        copy = Child.objects.create(
            family_name=child.family_name,
            middle_name=child.middle_name,
            given_name=child.given_name,
            sex=child.sex,
            date_of_birth=child.date_of_birth,
            place_of_birth=child.place_of_birth,
            current_commune=other,
            search_name=search_key(child.family_name, child.middle_name, child.given_name),
        )
        record(
            actor=admin, action="child.create", obj=copy, data={"synthetic": True, "duplicate_of_demo": True}
        )
    duplicates = run.find_duplicates(province_code=world.province.code)
    return linked.links, linked.review_items + duplicates.review_items
