"""The register service over HTTP: lookup, search, idempotent births with lawful PINs, clear errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

from haven.lib import pin as pins
from haven.lib.vietnamese import fold

from .conftest import tokens_for

BIRTH = {
    "family_name": "Đặng",
    "middle_name": "Thị",
    "given_name": "Hoà",
    "sex": "F",
    "date_of_birth": "2026-03-14",
    "registration_province": "01",
    "registration_commune": "00070",
}


def call(url, path, *, body=None, key=None, method=None, token=None):
    """Ask the register as Haven's client (the token in settings), or with ``token`` ("": anonymous)."""
    headers = {"Content-Type": "application/json"}
    token = settings.HAVEN_POPULATION_REGISTER_HTTP["token"] if token is None else token
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def person_by_pin(url, pin, **options):
    """A person by PIN: in the body, never in the address."""
    return call(url, "/persons/lookup", body={"pin": pin}, **options)


def someone(db_path, where="mother_id != '' AND father_id != ''"):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return dict(db.execute(f"SELECT * FROM person WHERE {where} ORDER BY id LIMIT 1").fetchone())
    finally:
        db.close()


def test_lookup_by_pin_gives_the_person_their_parents_and_household(register_url, register_db):
    child = someone(register_db)
    status, person = person_by_pin(register_url, child["pin"])
    assert status == 200
    assert person["full_name"] == f"{child['family_name']} {child['middle_name']} {child['given_name']}"
    assert person["mother"]["id"] == child["mother_id"] and person["mother"]["name"] == child["mother_name"]
    assert person["father"]["id"] == child["father_id"] and person["father"]["sex"] == "M"
    status, mother = person_by_pin(register_url, person["mother"]["pin"])
    assert status == 200 and child["pin"] in [c["pin"] for c in mother["children"]]
    status, household = call(register_url, f"/households/{child['household_id']}")
    members = {m["id"] for m in household["members"]}
    assert status == 200 and {child["id"], child["mother_id"], child["father_id"]} <= members


@pytest.mark.parametrize(
    ("pin", "status", "code"),
    [
        ("12345", 400, "invalid_pin"),
        ("00121800012a", 400, "invalid_pin"),
        ("999218000123", 400, "invalid_pin"),  # no province 999
        ("001218999999", 404, "not_found"),
    ],
)
def test_a_bad_or_unknown_pin_is_refused_clearly(register_url, pin, status, code):
    answer_status, answer = person_by_pin(register_url, pin)
    assert answer_status == status and answer["error"]["code"] == code and answer["error"]["message"]


def test_search_ignores_diacritics_and_case_and_knows_old_communes(register_url, register_db):
    person = someone(register_db, "old_commune_code != '' AND old_commune_code != commune_code")
    query = {
        "name": fold(f"{person['family_name']} {person['middle_name']} {person['given_name']}").upper(),
        "date_of_birth": person["date_of_birth"],
        "commune_code": person["old_commune_code"],
    }
    status, found = call(register_url, "/persons/search", body=query)
    assert status == 200 and [p["id"] for p in found["results"]] == [person["id"]]
    status, found = call(
        register_url,
        "/persons/search",
        body={"given_name": person["given_name"], "sex": person["sex"], "limit": 500},
    )
    assert status == 200 and person["id"] in [p["id"] for p in found["results"]]
    assert {p["sex"] for p in found["results"]} == {person["sex"]}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"sex": "F"}, "too_broad"),
        ({"date_of_birth": "2020-02-03"}, "too_broad"),
        ({"date_of_birth": "2020-02-30"}, "impossible_date"),
        ({"date_of_birth": "14/03/2020"}, "invalid_date"),
        ({"given_name": "An", "commune_code": "99999"}, "unknown_commune"),
        ({"given_name": "An", "sex": "X"}, "invalid_sex"),
        ({"given_name": "An", "limit": "0"}, "invalid_limit"),
        ({"given_name": "An", "colour": "red"}, "unknown_parameter"),
        ({"name": "An"}, "name_too_short"),
    ],
)
def test_bad_search_input_is_refused_not_guessed(register_url, query, code):
    status, answer = call(register_url, "/persons/search", body=query)
    assert status == 400 and answer["error"]["code"] == code


def test_a_birth_gets_a_lawful_pin_and_the_same_key_gets_the_same_pin(register_url):
    status, first = call(register_url, "/births", body=BIRTH, key="birth-1")
    assert status == 201
    parsed = pins.parse(first["pin"], sex="female", birth_year=2026)
    assert parsed.province_code == "001" and first["pin"][3] == "3" and first["pin"][4:6] == "26"
    assert first["full_name"] == "Đặng Thị Hòa"  # the register's tone placement
    status, again = call(register_url, "/births", body=BIRTH, key="birth-1")
    assert status == 200 and again["pin"] == first["pin"] and again["id"] == first["id"]
    status, other = call(register_url, "/births", body=BIRTH, key="birth-2")
    assert status == 201 and other["pin"] != first["pin"]  # another key is another birth (twins)
    status, found = person_by_pin(register_url, first["pin"])
    assert status == 200 and found["id"] == first["id"]


def test_a_key_reused_for_a_different_birth_is_refused(register_url):
    assert call(register_url, "/births", body=BIRTH, key="k")[0] == 201
    status, answer = call(register_url, "/births", body={**BIRTH, "given_name": "Lan"}, key="k")
    assert status == 409 and answer["error"]["code"] == "idempotency_conflict"


def test_concurrent_retries_of_one_birth_make_one_person(register_url, register_db):
    answers = []

    def send():
        answers.append(call(register_url, "/births", body=BIRTH, key="same-birth"))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in answers) == [200] * 7 + [201]
    assert len({a["pin"] for _, a in answers}) == 1
    db = sqlite3.connect(register_db)
    assert db.execute("SELECT count(*) FROM person WHERE given_name = 'Hòa' AND family_name = 'Đặng' "
                      "AND date_of_birth = '2026-03-14'").fetchone()[0] == 1  # fmt: skip
    db.close()


def test_a_birth_to_a_known_mother_joins_her_household(register_url, register_db):
    mother = someone(register_db, "sex = 'F' AND date_of_birth < '2000-01-01'")
    status, child = call(
        register_url, "/births", body={**BIRTH, "mother_pin": mother["pin"], "sex": "M"}, key="with-mother"
    )
    assert status == 201
    assert child["household_id"] == mother["household_id"] and child["mother"]["pin"] == mother["pin"]
    assert child["mother_name"] == f"{mother['family_name']} {mother['middle_name']} {mother['given_name']}"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"date_of_birth": "2026-02-30"}, "impossible_date", "date_of_birth"),
        ({"date_of_birth": "2099-01-01"}, "future_date", "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "impossible_date", "date_of_birth"),
        ({"registration_commune": "99999"}, "unknown_commune", "registration_commune"),
        ({"registration_commune": "7"}, "invalid_commune", "registration_commune"),
        ({"registration_commune": "26506"}, "commune_not_in_province", "registration_commune"),
        ({"sex": "U"}, "invalid_sex", "sex"),
        ({"given_name": ""}, "required", "given_name"),
        ({"mother_pin": "001"}, "invalid_pin", "mother_pin"),
        ({"mother_pin": "001190999999"}, "unknown_parent", "mother_pin"),
        ({"nickname": "Bống"}, "unknown_field", "nickname"),
        ({"given_name": 5}, "invalid_type", "given_name"),
        ({"given_name": "H2o"}, "invalid_name", "given_name"),
        ({"family_name": "Đặng\u0000"}, "invalid_name", "family_name"),
        ({"middle_name": "Thị\nAn"}, "invalid_name", "middle_name"),
    ],
)
def test_a_bad_birth_is_refused_with_its_field_and_registers_nothing(
    register_url, register_db, change, code, field
):
    before = sqlite3.connect(register_db).execute("SELECT count(*) FROM person").fetchone()[0]
    status, answer = call(register_url, "/births", body={**BIRTH, **change}, key=f"bad-{code}")
    assert status == 400 and answer["error"]["code"] == code and answer["error"]["field"] == field
    assert sqlite3.connect(register_db).execute("SELECT count(*) FROM person").fetchone()[0] == before


def test_a_birth_needs_an_idempotency_key_and_json(register_url):
    status, answer = call(register_url, "/births", body=BIRTH)
    assert status == 400 and answer["error"]["code"] == "idempotency_key"
    request = urllib.request.Request(  # noqa: S310
        register_url + "/births",
        data=b"{not json",
        headers={
            "Idempotency-Key": "x",
            "Authorization": f"Bearer {settings.HAVEN_POPULATION_REGISTER_HTTP['token']}",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert error.value.code == 400 and json.loads(error.value.read())["error"]["code"] == "invalid_json"
    assert call(register_url, "/births")[0] == 405
    assert call(register_url, "/nowhere")[0] == 404


def test_haven_popreg_serve_is_a_process_of_its_own(tmp_path):
    database = tmp_path / "own.sqlite3"
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "django", "popreg", "serve", "--port", "0", "--database", str(database)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    try:
        line = process.stdout.readline()
        assert "population register on http://127.0.0.1:" in line, process.stderr.read()
        url = line.split(" on ")[1].split("/ ")[0]
        assert call(url, "/health")[0] == 401  # its clients are its own
        token = tokens_for(database)["haven"]
        assert call(url, "/health", token=token) == (200, {"status": "ok"})
        status, _ = call(url, "/births", body=BIRTH, key="own-process", token=token)
        assert status == 201 and database.exists()
    finally:
        process.terminate()
        process.wait(10)


def test_the_key_names_the_normalised_birth_not_its_spelling(register_url, register_db):
    """NFD and NFC spell the same name, null is "": the retry replays the answer, not a 409."""
    import unicodedata

    status, first = call(register_url, "/births", body={**BIRTH, "dob_estimated": True}, key="spelt")
    assert status == 201
    nfd = {k: unicodedata.normalize("NFD", v) for k, v in BIRTH.items()}
    again = {**nfd, "family_name": " Đặng ", "dob_estimated": True, "mother_pin": None}
    status, replay = call(register_url, "/births", body=again, key="spelt")
    assert status == 200 and replay["pin"] == first["pin"]
    status, answer = call(register_url, "/births", body=BIRTH, key="spelt")  # not estimated: another birth
    assert status == 409 and answer["error"]["code"] == "idempotency_conflict"
    db = sqlite3.connect(register_db)
    assert db.execute("SELECT dob_estimated FROM person WHERE pin = ?", (first["pin"],)).fetchone()[0] in (
        1,
        "1",
    )
    db.close()


def test_a_negative_content_length_is_refused_at_once(register_url):
    import socket as sockets

    host, port = urllib.parse.urlsplit(register_url).netloc.split(":")
    with sockets.create_connection((host, int(port)), timeout=5) as conn:
        token = settings.HAVEN_POPULATION_REGISTER_HTTP["token"].encode()
        conn.sendall(
            b"POST /births HTTP/1.1\r\nHost: x\r\nIdempotency-Key: neg\r\nAuthorization: Bearer "
            + token
            + b"\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n"
        )
        answer = b""
        while chunk := conn.recv(4096):  # a blocked thread would time out here
            answer += chunk
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0] + b" "
    assert b"invalid_length" in answer
