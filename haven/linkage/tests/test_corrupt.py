"""The corruption generator: seeded, with ground truth."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from haven.linkage.corrupt import Rates, corrupt
from haven.linkage.normalise import canonical
from haven.population.generate import population

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def people():
    return population(4_000, seed=3, today=TODAY)


def test_seeded_with_truth(people):
    a = corrupt(people, 300, seed=1, today=TODAY)
    b = corrupt(people, 300, seed=1, today=TODAY)
    assert a.records.equals(b.records)
    assert len(a.records) == 300
    # Every true person is in the register; the removed children are not.
    assert set(a.truth["person_id"]) <= set(a.register["id"])
    assert len(a.register) < len(people)
    assert 0.9 * 300 < len(a.truth) < 300
    # Some children are recorded twice (for deduplication).
    assert a.truth["person_id"].duplicated().any()
    from haven.linkage.linkfile import read_frame

    dates = read_frame(a.records, today=TODAY).frame["date_of_birth"]
    born = dates[dates != ""].str[:4].astype(int)  # a found child's date after today is refused
    assert (born >= TODAY.year - 19).all()


def _only(**rate) -> Rates:
    return Rates(**{name: 0.0 for name in Rates().as_dict()} | rate)


def test_errors_are_the_ones_asked_for(people):
    clean = corrupt(people, 200, seed=2, rates=_only(), today=TODAY)
    by_id = people.set_index("id")
    for record_id, person_id in clean.truth.itertuples(index=False):
        record = clean.records.set_index("id").loc[record_id]
        assert record["given_name"] == by_id.loc[person_id, "given_name"]
        assert record["pin"] == by_id.loc[person_id, "pin"]

    folded = corrupt(people, 200, seed=2, rates=_only(no_diacritics=1.0), today=TODAY)
    assert all(name.isascii() for name in folded.records["family_name"])

    swapped = corrupt(people, 200, seed=2, rates=_only(day_month_swap=1.0), today=TODAY)
    changed = (swapped.records["date_of_birth"] != clean.records["date_of_birth"]).sum()
    assert changed > 50

    no_pin = corrupt(people, 200, seed=2, rates=_only(no_pin=1.0), today=TODAY)
    assert (no_pin.records["pin"] == "").all()

    telex = corrupt(people, 200, seed=2, rates=_only(telex=1.0), today=TODAY)
    names = telex.records[["family_name", "middle_name", "given_name"]].agg(" ".join, axis=1)
    assert (
        names != clean.records[["family_name", "middle_name", "given_name"]].agg(" ".join, axis=1)
    ).sum() > 100
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    # The normaliser undoes what Telex left behind.
    assert (
        names.map(canonical)
        == clean.records[["family_name", "middle_name", "given_name"]].agg(" ".join, axis=1).map(canonical)
    ).mean() > 0.97

    estimated = corrupt(people, 200, seed=2, rates=_only(estimated_dob=1.0), today=TODAY)
    assert (estimated.records["dob_estimated"] == "1").all()


def test_the_harder_errors(people):
    twins = corrupt(people, 200, seed=4, rates=_only(twins=0.5), today=TODAY)
    added = twins.register[twins.register["id"].str.endswith("T")]
    assert len(added) >= 50
    by_id = people.set_index("id")
    for twin in added.itertuples():
        sibling = by_id.loc[twin.id[:-1]]
        assert (twin.date_of_birth, twin.mother_id, twin.sex) == (
            sibling["date_of_birth"],
            sibling["mother_id"],
            sibling["sex"],
        )
        assert twin.given_name != sibling["given_name"]
        assert not twin.pin or twin.pin != sibling["pin"]
    assert not twins.register["pin"].replace("", None).dropna().duplicated().any()

    far = corrupt(people, 200, seed=5, rates=_only(estimated_dob=1.0, estimated_far=1.0), today=TODAY)
    truth = dict(far.clusters.itertuples(index=False, name=None))
    born = people.set_index("id")["date_of_birth"]
    gaps = [
        abs((dt.date.fromisoformat(r.date_of_birth) - dt.date.fromisoformat(born[truth[r.id]])).days)
        for r in far.records.itertuples()
        if r.date_of_birth != TODAY.isoformat()  # found today: no later date can be the estimate
    ]
    assert len(gaps) > 150 and min(gaps) > 60

    prefix = corrupt(people, 200, seed=6, rates=_only(wrong_pin_prefix=1.0), today=TODAY)
    truth = dict(prefix.clusters.itertuples(index=False, name=None))
    pins = people.set_index("id")["pin"]
    for record in prefix.records.itertuples():
        true_pin = pins[truth[record.id]]
        if true_pin:
            wrong = [i for i in range(12) if record.pin[i] != true_pin[i]]
            assert len(wrong) == 1 and wrong[0] < 6

    mid = corrupt(people, 200, seed=7, rates=_only(telex_mid_word=1.0), today=TODAY)
    truth = dict(mid.clusters.itertuples(index=False, name=None))
    people_by_id = people.set_index("id")
    typed = []
    for record in mid.records.itertuples():
        person = people_by_id.loc[truth[record.id]]
        for field in ("family_name", "middle_name", "given_name"):
            if getattr(record, field) != person[field]:
                typed.append((getattr(record, field), person[field]))
    assert len(typed) >= 100  # a name without diacritics reads the same in Telex
    assert any(
        w[-1] not in "sfrxj" for written, _ in typed for w in written.split() if not w.isalpha() or True
    )
    assert sum(canonical(written) == canonical(meant) for written, meant in typed) >= 0.95 * len(typed)


def test_some_children_carry_two_surnames_and_some_records_drop_the_second(people):
    from haven.linkage.features import prepare

    dual = corrupt(people, 300, seed=8, rates=_only(dual_surname=0.5), today=TODAY)
    truth = dict(dual.clusters.itertuples(index=False, name=None))
    register = prepare(dual.register).set_index(dual.register["id"])
    records = prepare(dual.records).set_index(dual.records["id"])
    with_two = [r for r, p in truth.items() if p in register.index and register.loc[p, "surname2_f"]]
    assert len(with_two) > 100
    # Without errors the record has the register's name, second surname included.
    assert all(records.loc[r, "surname2_f"] == register.loc[truth[r], "surname2_f"] for r in with_two)
    assert all(register.loc[truth[r], "surname2_f"] != register.loc[truth[r], "family_f"] for r in with_two)

    dropped = corrupt(
        people, 300, seed=8, rates=_only(dual_surname=0.5, dual_surname_dropped=1.0), today=TODAY
    )
    records = prepare(dropped.records).set_index(dropped.records["id"])
    register = prepare(dropped.register).set_index(dropped.register["id"])
    assert all(records.loc[r, "surname2_f"] is None for r in with_two)
    # The family and middle name still read the same on both sides.
    for r in with_two:
        assert records.loc[r, ["family_f", "middle_core_f"]].tolist() == (
            register.loc[truth[r], ["family_f", "middle_core_f"]].tolist()
        )

    unregistered = corrupt(
        people, 300, seed=8, rates=_only(dual_surname=0.5, dual_surname_unregistered=1.0), today=TODAY
    )
    register = prepare(unregistered.register)
    assert register["surname2_f"].isna().all()
    assert prepare(unregistered.records)["surname2_f"].notna().sum() > 100


def test_found_children_lose_the_day_and_month_and_their_parents(people):
    found = corrupt(people, 300, seed=9, rates=_only(estimated_dob=1.0, estimated_year_only=1.0), today=TODAY)
    truth = dict(found.clusters.itertuples(index=False, name=None))
    born = people.set_index("id")["date_of_birth"]
    years = [int(born[truth[r.id]][:4]) - int(r.date_of_birth) for r in found.records.itertuples()]
    assert all(len(r) == 4 for r in found.records["date_of_birth"])  # the year alone
    assert set(years) == {-1, 0, 1}
    assert (found.records["dob_estimated"] == "1").all()
    assert (found.records[["mother_name", "father_name"]] == "").all().all()
    assert found.kinds["found"].all() and (found.kinds["parents"] == "none").all()

    placeholder = corrupt(
        people, 300, seed=9, rates=_only(estimated_dob=1.0, estimated_placeholder=1.0), today=TODAY
    )
    assert placeholder.records["date_of_birth"].str.endswith("-01-01").all()


def test_found_children_have_no_commune_or_the_commune_where_they_were_found(people):
    rates = _only(estimated_dob=1.0, found_no_commune=0.5, found_discovery_commune=0.5)
    found = corrupt(people, 400, seed=10, rates=rates, today=TODAY)
    kinds = found.kinds.set_index("record_id")
    records = found.records.set_index("id")
    nowhere = kinds.index[kinds["commune"] == "none"]
    assert 100 < len(nowhere) < 300 and (records.loc[nowhere, "commune_code"] == "").all()
    elsewhere = kinds.index[kinds["commune"] == "other"]
    truth = dict(found.clusters.itertuples(index=False, name=None))
    home = people.set_index("id")["commune_code"]
    moved = [r for r in elsewhere if records.loc[r, "commune_code"] != home[truth[r]]]
    assert len(moved) > 0.9 * len(elsewhere) > 90


def test_ordinary_records_may_have_the_year_one_off_or_no_commune(people):
    off = corrupt(people, 300, seed=11, rates=_only(year_off=1.0), today=TODAY)
    truth = dict(off.clusters.itertuples(index=False, name=None))
    born = people.set_index("id")["date_of_birth"]
    for r in off.records.itertuples():
        true = born[truth[r.id]]
        if true[5:] != "02-29":
            assert r.date_of_birth[5:] == true[5:] and abs(int(r.date_of_birth[:4]) - int(true[:4])) == 1
    assert off.kinds["year_off"].mean() > 0.95

    nowhere = corrupt(people, 300, seed=11, rates=_only(no_commune=1.0), today=TODAY)
    assert (nowhere.records["commune_code"] == "").all() and (nowhere.records["province_code"] != "").all()


def test_codes_and_dates_are_written_as_a_spreadsheet_writes_them(people):
    from haven.linkage.linkfile import read_frame

    clean = corrupt(people, 300, seed=12, rates=_only(), today=TODAY)
    sheet = corrupt(people, 300, seed=12, rates=_only(numeric_codes=1.0, day_first_dates=1.0), today=TODAY)
    assert not sheet.records["province_code"].str.startswith("0").any()
    assert sheet.records["date_of_birth"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    # Read as `haven link files` reads a file, they are the clean records again.
    read = read_frame(sheet.records, today=TODAY)
    assert [p for p in read.invalid if p.kind != "pin_twice"] == []  # a child recorded twice: one PIN
    columns = ["commune_code", "province_code", "date_of_birth"]
    assert read.frame[columns].equals(clean.records[columns])
