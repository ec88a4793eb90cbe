"""`haven link run` against the register service's extract, a delivered file, and a register that is
down; the review queue's pages and API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from haven.accounts.models import ApiToken, TokenScope
from haven.audit.models import AuditEvent
from haven.linkage.models import Candidate, LinkRun, RegisterLink, RunKind
from haven.linkage.tests.test_review import case, link, noise, pair_of  # noqa: F401 (fixtures)
from haven.population import service
from haven.population.client import breakers_reset
from haven.population.synth import population_fill
from haven.population.tests.conftest import free_port, running, tokens_for


@pytest.fixture
def http_register(settings):
    breakers_reset()
    settings.HAVEN_POPULATION_REGISTER = "haven.population.client.HttpRegister"
    from haven.population.register import register

    register.cache_clear()
    yield settings
    register.cache_clear()
    breakers_reset()


def test_the_register_service_streams_an_extract_in_the_link_file_columns(tmp_path):
    database = tmp_path / "r.sqlite3"
    population_fill(database=database, size=300, seed=3, today=dt.date(2026, 6, 1))
    token = tokens_for(database)["linkage"]
    with running(database) as url:
        from haven.population.client import HttpRegister

        breakers_reset()
        path = HttpRegister(url, extract_token=token).extract("", tmp_path / "all.csv")
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith(
            "id,family_name,middle_name,given_name,sex,date_of_birth,dob_estimated,pin,"
        )
        assert len(lines) == 301
        some = lines[1].split(",")[9]
        one = (
            HttpRegister(url, extract_token=token)
            .extract(some, tmp_path / "one.csv")
            .read_text(encoding="utf-8")
            .splitlines()
        )
        assert 1 < len(one) < len(lines) and all(line.split(",")[9] == some for line in one[1:])
        from haven.population.register import RegisterRefused

        with pytest.raises(RegisterRefused) as refused:
            HttpRegister(url, extract_token=token).extract("7x", tmp_path / "bad.csv")
        assert refused.value.code == "invalid_province"
        assert not (tmp_path / "bad.csv").exists()


def test_an_extract_cut_between_two_chunks_is_never_taken_for_the_whole_register(tmp_path, monkeypatch):
    """Streamed without a length, a cut answer ends like a whole one; the register announces how many
    people it sends, and fewer is the register being unavailable (nothing is linked on a part)."""
    from haven.population.client import HttpRegister
    from haven.population.register import RegisterUnavailable

    database = tmp_path / "r.sqlite3"
    population_fill(database=database, size=120, seed=3, today=dt.date(2026, 6, 1))
    token = tokens_for(database)["linkage"]
    whole = service.Register.extract

    def cut(self, query):
        count, lines = whole(self, query)
        return count + 5000, lines  # the last chunk of 5,000 people never arrives

    with running(database) as url:
        breakers_reset()
        register = HttpRegister(url, extract_token=token)
        assert len(register.extract("", tmp_path / "all.csv").read_text().splitlines()) == 121
        monkeypatch.setattr(service.Register, "extract", cut)
        with pytest.raises(RegisterUnavailable, match="120 of 5120"):
            register.extract("", tmp_path / "cut.csv")
    assert not (tmp_path / "cut.csv").exists()
    breakers_reset()


@pytest.mark.django_db
def test_link_run_reads_the_registers_extract_over_http(case, http_register, tmp_path):  # noqa: F811
    _world, pinned, unpinned, _mismatched, frame = case
    path = tmp_path / "extract.csv"
    frame.to_csv(path, index=False)
    database = tmp_path / "r.sqlite3"
    # The service's database holds exactly the extract: load it through the store.
    from haven.population import store

    db = store.connect(database)
    store.create(db)
    db.close()
    tokens = tokens_for(database)
    extract = path.read_bytes()

    class Fixed(service.Register):
        def extract(self, query):
            return len(frame), iter([extract])

    httpd = service.make_server(
        "127.0.0.1", 0, service.Application(Fixed(database)), server_class=service._Server
    )
    import threading

    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    from haven.population.register import register

    try:
        http_register.HAVEN_POPULATION_REGISTER_URL = f"http://127.0.0.1:{httpd.server_port}"
        url = f"http://127.0.0.1:{httpd.server_port}"
        # Haven's own token may look people up and register births, not take the extract.
        http_register.HAVEN_POPULATION_REGISTER_HTTP = {"url": url, "extract_token": tokens["haven"]}
        with pytest.raises(CommandError, match=r"refused the linkage job's credentials \(403 forbidden"):
            call_command("link", "run", stdout=io.StringIO(), stderr=io.StringIO())
        breakers_reset()
        register.cache_clear()
        http_register.HAVEN_POPULATION_REGISTER_HTTP = {"url": url, "extract_token": tokens["linkage"]}
        out = io.StringIO()
        call_command("link", "run", stdout=out, stderr=io.StringIO())
    finally:
        httpd.shutdown()
        httpd.server_close()
    summary = out.getvalue()
    assert "3 records" in summary and "1 links" in summary and "review items" in summary
    assert RegisterLink.objects.filter(child=pinned).exists()
    assert Candidate.objects.filter(child=unpinned, status="proposed").exists()


@pytest.mark.django_db
def test_link_run_with_the_register_down_says_so_and_changes_nothing(world, http_register):
    http_register.HAVEN_POPULATION_REGISTER_HTTP = {
        "url": f"http://127.0.0.1:{free_port()}",
        "timeout": 0.5,
        "extract_token": "v1.linkage.extract.1.unchecked",
    }
    world.child()
    with pytest.raises(CommandError, match=r"not answering.*Nothing was changed"):
        call_command("link", "run", stdout=io.StringIO(), stderr=io.StringIO())
    assert not LinkRun.objects.exists() and not Candidate.objects.exists()


@pytest.mark.django_db
def test_link_run_takes_an_extract_delivered_as_a_file(case, tmp_path):  # noqa: F811
    _world, pinned, _unpinned, _mismatched, frame = case
    path = tmp_path / "extract.csv"
    frame.to_csv(path, index=False)
    out = io.StringIO()
    call_command("link", "run", "--register", path, stdout=out, stderr=io.StringIO())
    assert LinkRun.objects.get().source == "extract file extract.csv"
    assert RegisterLink.objects.filter(child=pinned).exists()
    with open(path, "a", encoding="utf-8") as f:
        f.write("X9,broken\n")
    with pytest.raises(CommandError, match="line"):
        call_command("link", "run", "--register", path, stdout=io.StringIO(), stderr=io.StringIO())
    assert LinkRun.objects.count() == 1
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "link", "run", "--register", tmp_path / "none.csv", stdout=io.StringIO(), stderr=io.StringIO()
        )


@pytest.mark.django_db
def test_link_duplicates_and_labels_export(case, tmp_path):  # noqa: F811
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    from haven.linkage import services

    services.decide(actor=world.ministry, candidate=pair_of(unpinned), same=False)
    out = io.StringIO()
    call_command("link", "duplicates", stdout=out, stderr=io.StringIO())
    assert "Duplicates across places: 3 records" in out.getvalue()
    call_command("link", "labels", "--out", tmp_path / "labels.csv", stdout=io.StringIO())
    rows = (tmp_path / "labels.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("pair,kind,run,match_weight,match_probability,model_decision,decision")
    assert "gamma_pin" in rows[0] and "mw_given_name" in rows[0]
    assert len(rows) == 2 and ",register," in rows[1] and ",different," in rows[1]
    assert unpinned.family_name not in rows[1]


def vi(message: str) -> str:
    """The pages speak Vietnamese by default."""
    with translation.override("vi"):
        return translation.gettext(message)


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_and_a_pair_side_by_side_then_decide_and_undo(case, client):  # noqa: F811
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    client.force_login(world.provincial)
    page = client.get(reverse("linkage:queue"))
    assert page.status_code == 200 and str(unpinned) in page.content.decode()
    assert AuditEvent.objects.filter(action="linkage.queue_view", actor=world.provincial).exists()
    only_duplicates = client.get(reverse("linkage:queue"), {"kind": "duplicates"}).content.decode()
    assert str(unpinned) not in only_duplicates
    shown = client.get(reverse("linkage:pair", args=[pair.pk])).content.decode()
    assert "Ngọc Ánh" in shown and "weight-bar" in shown and pair.get_reason_display() in shown
    assert client.post(reverse("linkage:decide", args=[pair.pk]), {"decision": "maybe"}).status_code == 422
    response = client.post(reverse("linkage:decide", args=[pair.pk]), {"decision": "same", "note": "ok"})
    assert response.status_code == 302
    child_page = client.get(reverse("people:detail", args=[unpinned.pk])).content.decode()
    assert vi("after review") in child_page and "badge-ok" in child_page
    refused = client.post(reverse("linkage:undo", args=[pair.pk]), {"reason": ""})
    assert refused.status_code == 422 and vi("Say why the decision is undone.") in refused.content.decode()
    client.post(reverse("linkage:undo", args=[pair.pk]), {"reason": "Nhầm"})
    after = client.get(reverse("people:detail", args=[unpinned.pk])).content.decode()
    assert vi("A possible match in the population register is waiting for review.") in after
    assert "Nhầm" in after
    client.force_login(world.officer_a)
    assert client.get(reverse("linkage:queue")).status_code in (403, 404)
    assert client.get(reverse("linkage:pair", args=[pair.pk])).status_code in (403, 404)
    client.force_login(world.provincial_other)
    assert client.get(reverse("linkage:pair", args=[pair.pk])).status_code == 404


# --- API ----------------------------------------------------------------------------------------


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="test", scope=TokenScope.WRITE)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.django_db
def test_the_api_lists_shows_decides_and_undoes(case, client):  # noqa: F811
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    auth = bearer(world.ministry)
    listed = client.get("/api/v1/linkage/pairs", {"kind": "register"}, **auth).json()
    assert str(pair.pk) in [p["id"] for p in listed["items"]]
    shown = client.get(f"/api/v1/linkage/pairs/{pair.pk}", **auth).json()
    assert {f["name"] for f in shown["fields"]} >= {"pin", "given_name", "date_of_birth"}
    assert shown["reason"] == pair.reason
    decided = client.post(
        f"/api/v1/linkage/pairs/{pair.pk}/decision", {"same": True}, content_type="application/json", **auth
    )
    assert decided.status_code == 200 and decided.json()["status"] == "linked"
    again = client.post(
        f"/api/v1/linkage/pairs/{pair.pk}/decision", {"same": False}, content_type="application/json", **auth
    )
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    link_state = client.get(f"/api/v1/children/{unpinned.pk}/register-link", **auth).json()
    assert link_state["state"] == "linked" and link_state["how"] == "reviewed"
    assert link_state["pin_masked"].startswith("001")
    bad = client.post(
        f"/api/v1/linkage/pairs/{pair.pk}/undo", {"reason": ""}, content_type="application/json", **auth
    )
    assert bad.status_code == 422
    undone = client.post(
        f"/api/v1/linkage/pairs/{pair.pk}/undo", {"reason": "Sai"}, content_type="application/json", **auth
    )
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    history = client.get(f"/api/v1/children/{unpinned.pk}/register-link", **auth).json()["history"]
    assert history[0]["undo_reason"] == "Sai"
    runs = client.get("/api/v1/linkage/runs", **auth).json()
    assert runs[0]["records"] == 3 and runs[0]["links"] == 1 and runs[0]["kind"] == "register"
    assert client.get("/api/v1/linkage/runs", **bearer(world.provincial)).status_code == 404
    outsider = bearer(world.provincial_other)
    assert client.get(f"/api/v1/linkage/pairs/{pair.pk}", **outsider).status_code == 404
    assert client.get("/api/v1/linkage/pairs", **bearer(world.officer_a)).status_code == 404


@pytest.mark.django_db
def test_duplicates_on_the_pages_merge_keeping_the_older_and_undo(world, client):
    from haven.linkage import run
    from haven.linkage.tests.test_review import named

    born = dt.date(2017, 9, 9)
    older = named(world, "Hoàng", "Thị", "Mai", "female", born)
    newer = named(world, "Hoàng", "Thị", "Mai", "female", born, commune=world.commune_b)
    for i in range(30):
        named(world, "Nguyễn", "Văn", f"Khác{i}", "male", dt.date(2010, 1, 1) + dt.timedelta(days=97 * i))
    run.find_duplicates()
    pair = Candidate.objects.get(kind=RunKind.DUPLICATES)
    client.force_login(world.provincial)
    listed = client.get(reverse("linkage:queue"), {"kind": "duplicates"}).content.decode()
    assert str(pair.pk) in listed
    response = client.post(reverse("linkage:decide", args=[pair.pk]), {"decision": "same"}, follow=True)
    assert response.status_code == 200
    newer.refresh_from_db()
    assert newer.merged_into == older
    assert client.get(reverse("people:detail", args=[newer.pk])).status_code == 404  # never listed again
    client.post(reverse("linkage:undo", args=[pair.pk]), {"reason": "Hai trẻ khác nhau"})
    newer.refresh_from_db()
    assert newer.merged_into is None
    assert client.get(reverse("people:detail", args=[newer.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, sees",
    [
        ("ministry", True),
        ("provincial", True),
        ("provincial_other", False),
        ("officer_a", False),
        ("chairman_a", False),
        ("facility_director", False),
        ("hotline", False),
        ("analyst", False),
        ("admin", False),
    ],
)
def test_who_may_review_a_childs_pairs(case, client, persona, sees):  # noqa: F811
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    user = getattr(world, persona)
    shown = client.get(f"/api/v1/linkage/pairs/{pair.pk}", **bearer(user))
    assert shown.status_code == (200 if sees else 404)
    client.force_login(user)
    page = client.get(reverse("linkage:pair", args=[pair.pk]))
    assert page.status_code == (200 if sees else 404) or (not sees and page.status_code == 403)


@pytest.mark.django_db
def test_the_in_process_register_extracts_the_children_it_gave_a_pin(world, tmp_path):
    import csv

    from haven.lib import pin as pins
    from haven.people.services import _set_pin
    from haven.population.register import InProcessRegister

    child = world.child(sex="female", date_of_birth=dt.date(2019, 2, 2))
    _set_pin(child, f"001{pins.century_sex_digit(birth_year=2019, sex='female')}19000777")
    child.save()
    world.child()  # no PIN: not a person of the register
    rows = list(csv.DictReader(InProcessRegister().extract("01", tmp_path / "e.csv").open(encoding="utf-8")))
    assert [(r["id"], r["sex"], r["province_code"]) for r in rows] == [(str(child.pk), "F", "01")]
    assert InProcessRegister().extract("79", tmp_path / "none.csv").read_text().count("\n") == 1


@pytest.mark.django_db
def test_a_merge_that_cannot_be_made_says_why_on_the_page(case, client):  # noqa: F811
    from haven.linkage import services
    from haven.linkage.tests.test_review import duplicates_pair

    world, pinned, unpinned, _mismatched, frame = case
    link(frame)
    services.decide(actor=world.ministry, candidate=pair_of(unpinned), same=True)
    pair = duplicates_pair(pinned, unpinned)  # two records linked to two persons of the register
    client.force_login(world.ministry)
    with translation.override("vi"):
        response = client.post(
            reverse("linkage:decide", args=[pair.pk]), {"decision": "same"}, HTTP_ACCEPT_LANGUAGE="vi"
        )
    assert response.status_code == 422
    assert "liên kết với Cơ sở dữ liệu quốc gia về dân cư" in response.content.decode()
    unpinned.refresh_from_db()
    assert unpinned.merged_into is None
