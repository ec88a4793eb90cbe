"""The population register is down when a found child's birth is registered: the officer sees
"waiting for the register", not an error; the register comes back and the PIN arrives by itself.

A second Haven server runs over the e2e database with HttpRegister pointed at a port where the
register service (`haven popreg serve`) is not running yet, holding the token the register issued it
(`haven popreg client add`), as `make demo` does."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time
import urllib.request
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t
from e2e.conftest import HAVEN, PHONE, ROOT, _free_port, _wait_until_healthy, run_haven

pytestmark = pytest.mark.browser

# A case of commune A whose public notice has expired, made for this test (`haven shell`).
CASE_SCRIPT = """
import datetime as dt
from haven.accounts.synth import demo_world
from haven.core import clock
from haven.foundlings import services
from haven.foundlings.models import State

world = demo_world()
hospital = world.users["hospital.sw"][0]
case = services.foundling_report(
    actor=hospital, found_at=clock.now() - dt.timedelta(days=10), found_commune=world.commune_a,
    found_place="Cổng chợ", sex="female", estimated_age_days=5, condition="Trẻ sơ sinh khỏe",
)
case.state = State.NOTICE_EXPIRED
case.save(update_fields=["state"])
print("E2E_CASE=" + str(case.pk))
"""


def vi(message: str) -> str:
    return t(message, "vi")


def _start(args: list[str], env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_register_is_down_the_officer_sees_waiting_and_the_pin_arrives_later(
    browser, server, clock, tmp_path
):
    register_port = _free_port()
    register_db, token_file = tmp_path / "r.sqlite3", tmp_path / "secrets" / "haven.token"
    run_haven(
        server.env, "popreg", "client", "add", "haven", "--scopes", "lookup,register",
        "--database", str(register_db), "--token-file", str(token_file),
    )  # fmt: skip
    env = {
        **server.env,
        "HAVEN_POPULATION_REGISTER": "haven.population.client.HttpRegister",
        "HAVEN_POPULATION_REGISTER_URL": f"http://127.0.0.1:{register_port}",
        "HAVEN_POPULATION_REGISTER_TOKEN_FILE": str(token_file),
    }
    printed = run_haven(env, "shell", "--no-imports", "-c", CASE_SCRIPT).stdout
    case_path = f"/foundlings/{printed.split('E2E_CASE=', 1)[1].split()[0]}/"
    url = f"http://127.0.0.1:{_free_port()}"
    log = (tmp_path / "server.log").open("w")
    haven_server = _start([HAVEN, "runserver", url.removeprefix("http://"), "--noreload"], env, log)
    register = None
    try:
        _wait_until_healthy(url, haven_server, tmp_path / "server.log")
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        context.set_default_timeout(10_000)
        registrar = Haven(context.new_page(), url)
        page = registrar.page
        registrar.sign_in("civil.status")
        registrar.visit(case_path)
        offered = page.get_by_role("region", name=vi("Next steps you can take"))
        registrar.click(offered.get_by_role("link", name=vi("Register the birth"), exact=True))
        page.locator("#id_family_name").fill("Đỗ")
        page.locator("#id_given_name").fill("Ngọc Hân")
        # The registration is irreversible: the page says what it does and asks to confirm it.
        page.get_by_label(vi("I have read what this step does and confirm it.")).check()
        registrar.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
        assert urlsplit(page.url).path == case_path
        papers = page.get_by_role("region", name=vi("Papers"))
        expect(papers.get_by_text(vi("waiting for the register"), exact=True)).to_be_visible()
        expect(papers).to_contain_text(re.compile(r"\(.*1.*\)"))  # one try so far, retried by itself

        # The register comes back; the background retry (the sweep) brings the PIN.
        register = _start(
            [
                HAVEN,
                "popreg",
                "serve",
                "--port",
                str(register_port),
                "--database",
                str(register_db),
            ],
            env,
            log,
        )
        deadline = time.monotonic() + 20
        health = urllib.request.Request(
            f"http://127.0.0.1:{register_port}/health",
            headers={"Authorization": f"Bearer {token_file.read_text().strip()}"},
        )
        while True:
            try:
                with urllib.request.urlopen(health, timeout=2):  # noqa: S310 (the register just started here)
                    break
            except OSError:
                assert time.monotonic() < deadline, "the register service did not start"
                time.sleep(0.2)
        clock("1h")
        assert "PINs received 1" in run_haven(env, "sweep").stdout
        registrar.visit(case_path)
        expect(papers.get_by_text(vi("waiting for the register"), exact=True)).to_have_count(0)
        expect(papers).to_contain_text(re.compile(r"\d{3}\*{6}\d{3}"))
        assert not registrar.unchecked
        context.close()
    finally:
        if register is not None:
            _stop(register)
        _stop(haven_server)
        log.close()


# A birth registered in commune A whose PIN request the register refused (`haven shell`).
REFUSED_SCRIPT = """
import datetime as dt
from django.db import transaction
from haven.accounts.synth import demo_world
from haven.core import clock
from haven.foundlings import services
from haven.foundlings.models import State
from haven.population.models import RegisterRequest, RequestStatus

world = demo_world()
hospital = world.users["hospital.sw"][0]
registrar = world.users["civil.status"][0]
case = services.foundling_report(
    actor=hospital, found_at=clock.now() - dt.timedelta(days=10), found_commune=world.commune_a,
    found_place="Cổng chùa", sex="male", estimated_age_days=4, condition="Trẻ sơ sinh khỏe",
)
case.state = State.NOTICE_EXPIRED
case.save(update_fields=["state"])
with transaction.atomic():  # refused before the first try runs at the commit
    # Haven itself refuses a name the register would refuse (people.rules): the register's refusal
    # here is of the date of birth, which the civil-status book then corrects.
    services.foundling_register_birth(actor=registrar, case=case, family_name="Phan", given_name="Minh")
    request = RegisterRequest.objects.get(child=case.child)
    request.status = RequestStatus.FAILED
    request.last_error = "impossible_date: date_of_birth is impossible."
    request.save()
print("E2E_CASE=" + str(case.pk))
"""


def test_a_refused_birth_is_corrected_and_sent_again(server, haven):
    printed = server.haven("shell", "--no-imports", "-c", REFUSED_SCRIPT)
    case_path = f"/foundlings/{printed.split('E2E_CASE=', 1)[1].split()[0]}/"
    page = haven.page
    haven.sign_in("civil.status")
    haven.visit(case_path)
    papers = page.get_by_role("region", name=vi("Papers"))
    expect(papers).to_contain_text(vi("The register found the date of birth impossible."))
    offered = page.get_by_role("region", name=vi("Next steps you can take"))
    haven.click(
        offered.get_by_role(
            "link", name=vi("Correct the birth and send it to the register again"), exact=True
        )
    )
    expect(page.locator("#id_given_name")).to_have_value("Minh")  # filled from the record
    expect(page.locator("#id_sex")).to_have_value("male")
    born = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - dt.timedelta(days=14)
    page.locator("#id_date_of_birth").fill(f"{born:%d/%m/%Y}")  # as the civil-status book has it
    page.locator("#id_date_of_birth_estimated").uncheck()
    haven.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == case_path
    expect(papers).to_contain_text(re.compile(r"\d{3}\*{6}\d{3}"))  # the in-process register answered
    expect(
        offered.get_by_role("link", name=vi("Correct the birth and send it to the register again"))
    ).to_have_count(0)
