"""Sponsorship the public can check, in the browser, on a phone, in Vietnamese: the commune police
offers through "con nuôi công an xã" in its commune; the coordinator of the Women's Union, told, matches
a child; the police unit, told, sees a first name, an age band and the commune; the unit's transfer is
recorded and money paid to the child's carer; the carer, who has no account, confirms on the page named
in her SMS (a wrong code first); the coordinator, told, publishes; the public page shows the
disbursement and its confirmation without the child, and the donor's check verifies the unit's gift in
the signed log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

AMOUNT = 1_000_000
GIFT_REFERENCE = "FT26120800471"
CARER_PHONE = "0912 406 318"

# What the demo made (haven/sponsorship/synth.py), read once from the e2e database.
FACTS = """
import json
from haven.accounts.synth import demo_world
from haven.sponsorship.models import Campaign, Programme, Sponsor
world = demo_world()
police = world.organisations["police_a"]
print("FACTS=" + json.dumps({
    "police_unit": Sponsor.objects.get(organisation=police).name,
    "programme": Programme.objects.get(type_id="con_nuoi_cong_an_xa", area=world.commune_a).name,
    "commune": world.commune_a.name,
    "campaign": Campaign.objects.get(code="demo-con-nuoi").name,
}))
"""

# The child the coordinator matched, and the carer's SMS, read from the e2e database as the carer's
# phone would receive it (the outbox is what the SMS gateway sends).
MATCHED = """
import json
from haven.sponsorship.models import Sponsorship
s = Sponsorship.objects.get(pk="{pk}")
c = s.child
print("MATCHED=" + json.dumps({{
    "full_name": c.full_name, "family_name": c.family_name, "middle_name": c.middle_name,
    "given_name": c.given_name, "born": c.date_of_birth.strftime("%d/%m/%Y"),
}}))
"""
SMS = """
from haven.notifications.models import OutboxMessage
print("SMS=" + OutboxMessage.objects.filter(channel="sms", to="{to}").latest("id").body)
"""


def today() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


def vi(message: str) -> str:
    return t(message, "vi")


def dong(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@pytest.fixture(scope="module")
def demo(server) -> dict:
    printed = server.haven("shell", "--no-imports", "-c", FACTS)
    return json.loads(printed.split("FACTS=", 1)[1].splitlines()[0])


def told(tab: Haven, title: str):
    """The person's inbox holds the message; its link opens the step to take."""
    tab.visit("/inbox/")
    message = tab.page.locator("main a", has_text=title).first
    expect(message).to_be_visible()
    return message


def test_a_police_unit_sponsors_and_the_public_checks_it_without_the_child(open_tab, server, demo):
    # --- The commune police offers through "con nuôi công an xã": a programme and a commune, no child.
    police = open_tab()
    page = police.page
    police.sign_in("police")
    police.click(page.get_by_role("navigation").get_by_role("link", name=vi("Sponsorship")))
    police.click(page.get_by_role("link", name=vi("Offer a sponsorship")))
    expect(page.locator("main")).not_to_contain_text(vi("Child"))
    page.locator("#id_sponsor").select_option(label=demo["police_unit"])
    page.locator("#id_programme").select_option(label=demo["programme"])
    page.locator("#id_commune").select_option(label=demo["commune"])
    page.locator("#id_form").select_option(label=vi("Money every month"))
    page.locator("#id_monthly_amount").fill(str(AMOUNT))
    # Neither "until 18" nor a number of months: refused with the reason, in Vietnamese.
    police.click(page.get_by_role("button", name=vi("Offer")))
    expect(page.locator("#id_months_error")).to_have_text(vi("Give how many months, or choose “until 18”."))
    page.get_by_label(vi("Until the child turns 18")).check()
    police.click(page.get_by_role("button", name=vi("Offer")))
    expect(page.get_by_text(vi("The offer is recorded: the coordinator will match a child."))).to_be_visible()
    offer_path = page.url.removeprefix(server.url)
    expect(page.locator("h1")).to_contain_text(demo["commune"])

    # --- The coordinator is told, and matches a child of the commune (one with a first name, whose name
    # the public page did not already carry for another reason: the check below would prove nothing).
    public_before = _public_text(open_tab())
    coordinator = open_tab()
    page = coordinator.page
    coordinator.sign_in("coordinator")
    coordinator.click(told(coordinator, vi("A sponsor offers a sponsorship: match a child")))
    assert page.url.removeprefix(server.url).startswith(offer_path)
    choices = page.locator("#step-match ~ form label")
    expect(choices.first).to_be_visible()
    chosen = next(
        label
        for label in choices.all()
        if not label.inner_text().strip().startswith("(")
        and not re.search(rf"\b{re.escape(label.inner_text().split(' — ')[0].strip())}\b", public_before)
    )
    chosen.locator("input").check()
    coordinator.click(page.locator("form[action$='/match/'] button[type=submit]"))
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": vi("Match a child")})).to_be_visible()
    expect(page.locator("main p strong").first).to_have_text(vi("Active"))
    expect(page.locator("main")).to_contain_text(vi("Match a child"))  # the timeline, in words
    sponsorship_id = offer_path.strip("/").split("/")[-1]
    printed = server.haven("shell", "--no-imports", "-c", MATCHED.format(pk=sponsorship_id))
    child = json.loads(printed.split("MATCHED=", 1)[1].splitlines()[0])
    name_parts = [p for p in (child["family_name"], child["middle_name"], child["given_name"]) if p]

    # --- The police unit is told, and sees a first name, an age band and the commune: nothing more.
    police.click(told(police, vi("Your sponsorship is matched with a child: see the child's first name")))
    seen = police.page.locator("#sponsored-child")
    expect(seen).to_contain_text(child["given_name"])
    expect(seen).to_contain_text(demo["commune"])
    main = police.page.locator("main")
    expect(main).not_to_contain_text(child["full_name"])
    expect(main).not_to_contain_text(child["born"])
    # No visit is offered: the unit asked for no direct contact.
    expect(main).not_to_contain_text(vi("Ask for a visit"))

    # --- The unit's transfer reaches the campaign's account; the coordinator records it.
    coordinator.visit("/sponsorship/")
    coordinator.click(page.get_by_role("link", name=demo["campaign"]).first)
    form = page.locator("form:has(input[name=action][value=entry])")
    form.locator("#id_entry-kind").select_option(label=vi("Money received"))
    form.locator("#id_entry-amount").fill(str(AMOUNT))
    form.locator("#id_entry-occurred_on").fill(today())
    form.locator("#id_entry-document").fill("Sao kê ngày " + today())
    form.locator("#id_entry-commune").select_option(label=demo["commune"])
    form.locator("#id_entry-bank_reference").fill(GIFT_REFERENCE)
    form.locator("#id_entry-payer_kind").select_option(label=vi("Organisation"))
    form.locator("#id_entry-payer_name").fill(demo["police_unit"])
    form.locator("#id_entry-payer_publish").check()
    coordinator.click(form.get_by_role("button", name=vi("Record")))
    expect(page.get_by_text(vi("The entry is recorded."))).to_be_visible()

    # --- From the sponsorship's page, the coordinator pays the carer the first month.
    coordinator.visit(offer_path)
    coordinator.click(page.locator("#payments ~ p a", has_text=demo["campaign"]))
    form = page.locator("form:has(input[name=action][value=entry])")
    expect(form.locator("#id_entry-kind")).to_have_value("disbursement")
    expect(form.locator("#id_entry-recipient")).to_have_value("carer")
    expect(form.locator("#id_entry-amount")).to_have_value(str(AMOUNT))
    expect(form.locator("#id_entry-sponsorship option:checked")).to_contain_text(child["given_name"])
    form.locator("#id_entry-document").fill("Phiếu chi 01/12")
    form.locator("#id_entry-carer_phone").fill(CARER_PHONE.replace(" ", ""))
    coordinator.click(form.get_by_role("button", name=vi("Record")))
    expect(page.get_by_text(vi("The entry is recorded."))).to_be_visible()

    # --- The carer, who has no account, reads the SMS and confirms on the page it names.
    printed = server.haven("shell", "--no-imports", "-c", SMS.format(to=CARER_PHONE.replace(" ", "")))
    sms = printed.split("SMS=", 1)[1].strip()
    assert "/xacnhan" in sms and "mã xác nhận" in sms and dong(AMOUNT) in sms
    reference = re.search(r"\b\d{4} \d{4}\b", sms).group()
    code = re.search(r"(?<![\d.])\d{6}(?![\d.])", sms).group()
    carer = open_tab()
    page = carer.page
    carer.visit(re.search(r"[\w.:-]+(/[a-z]+)\b", sms).group(1) + "/")  # the address, as she types it
    expect(page.locator("h1")).to_have_text(vi("Confirm that you received the money"))
    page.get_by_label(vi("Reference (8 digits, in the message)")).fill(reference)
    page.get_by_label(vi("Confirmation code (6 digits)")).fill(f"{(int(code) + 1) % 10**6:06d}")
    carer.click(page.get_by_role("button", name=vi("Confirm")))
    answer = page.locator("#confirm-answer")
    expect(answer).to_have_text(
        vi(
            "The reference or the code is not right. Check the message and type them again. After "
            "%(n)s wrong tries the code is locked."
        )
        % {"n": 5}
    )
    for private in (*name_parts, dong(AMOUNT)):
        expect(page.locator("main")).not_to_contain_text(private)
    page.get_by_label(vi("Confirmation code (6 digits)")).fill(code)
    carer.click(page.get_by_role("button", name=vi("Confirm")))
    expect(page.locator("#confirm-thanks")).to_have_text(vi("Received, thank you"))
    for private in (*name_parts, dong(AMOUNT)):
        expect(page.locator("main")).not_to_contain_text(private)

    # --- The coordinator is told, sees the confirmation and publishes.
    confirmed = vi("The carer confirmed receiving %(amount)s đồng: it is published with the disbursement")
    page = coordinator.page
    coordinator.click(told(coordinator, confirmed % {"amount": dong(AMOUNT)}))
    expect(page.locator("#confirmed")).to_contain_text(vi("with the carer's code"))
    coordinator.click(page.get_by_role("link", name=demo["campaign"]))
    coordinator.click(page.get_by_role("button", name=vi("Publish now")))
    published = re.escape(vi("%(n)s lines published on the public ledger.")).replace(
        re.escape("%(n)s"), r"\d+"
    )
    expect(page.get_by_text(re.compile(published))).to_be_visible()

    # --- The public page, without an account: the disbursement and its confirmation, not the child.
    public = open_tab()
    page = public.page
    public.visit("/ledger/")
    lines = page.locator("#lines ~ div table tbody tr")
    # Today's disbursement (the demo's are of last month), to a carer who is not named, and the carer's
    # confirmation as a line of its own naming it.
    disbursed = (
        lines.filter(has_text=vi("Disbursement")).filter(has_text=dong(AMOUNT)).filter(has_text=today())
    )
    expect(disbursed).to_have_count(1)
    expect(disbursed).to_contain_text(vi("A child's carer (not named)"))
    index = int(disbursed.locator("td").first.inner_text())
    confirmation = lines.filter(has_text=vi("Confirmation by the carer")).filter(
        has_text=vi("of line #%(index)s") % {"index": index}
    )
    expect(confirmation).to_have_count(1)
    expect(confirmation).to_contain_text(today())
    shoot(public, "#lines ~ div.table-wrap", "ledger-lines-scrolled")
    text = page.locator("main").inner_text()
    for part in name_parts:
        if not re.search(rf"\b{re.escape(part)}\b", public_before):
            assert not re.search(rf"\b{re.escape(part)}\b", text), f"the public page names {part!r}"
    assert child["full_name"] not in text and child["born"] not in text

    # --- Anyone checks that the disbursement's line is in the signed log, without trusting Haven's
    # page: the line's bytes, its audit path and the signed root, verified here (RFC 9162 §2.1.3.2).
    verified = _included(public, index)
    assert verified["type"] == "disbursement" and verified["amount"] == AMOUNT
    assert verified["recipient"] == "Individual Recipient" and verified["recipient_id"].startswith("360G-")
    for part in name_parts:
        assert part not in json.dumps(verified, ensure_ascii=False)

    # --- The unit checks its gift: the line is found and its proof verifies against the signed root.
    public.visit("/ledger/")
    page.get_by_label(vi("Bank reference of your transfer")).fill(GIFT_REFERENCE)
    page.get_by_label(vi("Amount (đồng)")).fill(dong(AMOUNT))
    public.click(page.get_by_role("button", name=vi("Check")))
    expect(page.locator("#found-line")).to_contain_text(demo["police_unit"])
    expect(page.locator("#proof-ok")).to_be_visible()
    # The proof itself, opened, fits the phone too.
    page.locator("#found-line summary").click()
    expect(page.locator("#found-line details ol li").first).to_be_visible()
    public.check()


def _included(tab: Haven, index: int) -> dict:
    """The line ``index``, once its inclusion proof against the signed checkpoint verifies: the leaf
    and node hashes of RFC 6962 §2.1, the root recomputed from the audit path, the Ed25519 signature of
    the checkpoint's note under the published key. Written here, not taken from Haven."""
    get = tab.page.request.get
    # A line published a moment ago is in the next signed checkpoint (the background sweep signs it):
    # wait for one that covers it, as a verifier would.
    for _wait in range(60):
        checkpoint = get(f"{tab.base_url}/ledger/checkpoint").json()
        if checkpoint["tree_size"] > index:
            break
        time.sleep(1)
    size = checkpoint["tree_size"]
    assert size > index, f"no signed checkpoint covers line {index} after a minute"
    note = json.loads(checkpoint["note"])
    assert (note["tree_size"], note["root_hash"]) == (size, checkpoint["root_hash"])
    key = get(f"{tab.base_url}/ledger/keys").json()["keys"][str(checkpoint["key_version"])]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
        base64.b64decode(checkpoint["signature"]), checkpoint["note"].encode()
    )
    (line,) = get(f"{tab.base_url}/ledger/entries?start={index}&end={index}").json()["entries"]
    proof = get(f"{tab.base_url}/ledger/proof/inclusion?index={index}&tree_size={size}").json()
    node = hashlib.sha256(b"\x00" + base64.b64decode(line["leaf_input"])).digest()
    fn, sn = index, size - 1
    for sibling in (bytes.fromhex(h) for h in proof["audit_path"]):
        assert sn != 0
        if fn & 1 or fn == sn:
            node = hashlib.sha256(b"\x01" + sibling + node).digest()
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = hashlib.sha256(b"\x01" + node + sibling).digest()
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0 and node.hex() == checkpoint["root_hash"], "the inclusion proof does not verify"
    return json.loads(line["entry"])


def shoot(tab: Haven, region: str, name: str) -> None:
    """With HAVEN_SHOTS, a picture of a wide table scrolled to its right end, whose columns the
    full-page pictures cannot show on a phone."""
    folder = os.environ.get("HAVEN_SHOTS")
    if not folder:
        return
    wrap = tab.page.locator(region)
    wrap.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    Path(folder).mkdir(parents=True, exist_ok=True)
    wrap.screenshot(path=str(Path(folder) / f"{name}.png"))


def _public_text(tab: Haven) -> str:
    tab.visit("/ledger/")
    return tab.page.locator("main").inner_text()
