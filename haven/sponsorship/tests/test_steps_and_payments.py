"""What the browser journey found, held by tests: a sponsorship's page offers only the steps that can be
taken, names them in words, and leads the coordinator to pay the carer; the sponsor is told of the
match; a coordinator's message reaches no sponsor who shares the chapter; the public page speaks
Vietnamese and dates a carer's confirmation by Vietnam's day."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import translation

from haven.accounts.models import Role
from haven.core import clock
from haven.core.testing import member
from haven.notifications.models import Notification
from haven.notifications.selectors import inbox_for
from haven.sponsorship import services
from haven.sponsorship.models import Entry, LedgerLine
from haven.sponsorship.tests.conftest import orphan
from haven.sponsorship.tests.test_resources import code_sent, pay


def vi(message: str, context: str = "") -> str:
    with translation.override("vi"):
        return translation.pgettext(context, message) if context else translation.gettext(message)


def test_an_offer_shows_only_its_match_and_decline_and_a_visit_needs_approved_contact(scene, client):
    offer = scene.offer()
    client.force_login(scene.coordinator)
    page = client.get(f"/sponsorship/{offer.pk}/").content.decode()
    assert 'id="step-match"' in page and 'id="step-decline"' in page
    for later in ("consent", "exit_plan", "end", "message", "request_visit"):
        assert f'id="step-{later}"' not in page, later
    # The timeline says what was done, in words, not the step's code.
    assert vi("Offer a sponsorship to a programme or a commune") in page and "— offer" not in page
    # Matched, the sponsorship's own steps appear; a visit only once direct contact is approved.
    services.sponsorship_match(actor=scene.coordinator, sponsorship=offer, child=scene.child)
    client.force_login(scene.world.police_a)
    page = client.get(f"/sponsorship/{offer.pk}/").content.decode()
    assert 'id="step-message"' in page and 'id="step-request_visit"' not in page


def test_the_sponsor_is_told_of_the_match(scene):
    offer = scene.offer()
    services.sponsorship_match(actor=scene.coordinator, sponsorship=offer, child=scene.child)
    told = Notification.objects.get(kind="sponsorship.match")
    assert told.organisation == scene.world.orgs["police_a"] and told.link == f"/sponsorship/{offer.pk}/"
    assert told in inbox_for(user=scene.world.police_a)


def test_a_sponsor_in_the_chapter_is_not_shown_the_coordinators_messages(scene):
    # An individual sponsor's account sits in the Women's Union chapter, as in the demo.
    sponsor = member("sponsor_in_union_a", scene.world.orgs["union_a"], Role.SPONSOR)
    scene.receive(3_000_000, "FT001")
    pay(scene, scene.matched())
    entry = Entry.objects.get(kind="disbursement")
    for _try in range(5):
        services.carer_confirm(reference=entry.confirmation_reference, code="000000")
    offer_told = Notification.objects.get(kind="sponsorship.offer")
    locked_told = Notification.objects.get(kind="sponsorship.confirmation_locked")
    assert {offer_told, locked_told} <= set(inbox_for(user=scene.coordinator))
    assert not {offer_told, locked_told} & set(inbox_for(user=sponsor))


def test_a_visit_request_is_told_to_the_coordinators_not_to_another_sponsor_of_the_chapter(
    scene, frozen, client
):
    other_sponsor = member("sponsor_in_union_a", scene.world.orgs["union_a"], Role.SPONSOR)
    sponsorship = scene.matched(direct_contact=True)
    sponsorship.contact_approved_at = frozen.at
    sponsorship.save()
    services.visit_request(
        actor=scene.world.police_a,
        sponsorship=sponsorship,
        planned_at=frozen.at + dt.timedelta(days=7),
        place="Nhà văn hóa xã",
    )
    told = Notification.objects.get(kind="sponsorship.request_visit")
    assert told in inbox_for(user=scene.coordinator)
    assert told not in inbox_for(user=other_sponsor)
    client.force_login(scene.coordinator)
    page = client.get(told.link)
    assert page.status_code == 200 and 'id="visits"' in page.content.decode()


def test_the_coordinator_pays_the_carer_from_the_sponsorships_page(scene, client):
    sponsorship = scene.matched()
    scene.receive(3_000_000, "FT001")
    client.force_login(scene.coordinator)
    page = client.get(f"/sponsorship/{sponsorship.pk}/").content.decode()
    link = f"/sponsorship/campaigns/{scene.campaign.pk}/?sponsorship={sponsorship.pk}"
    assert link in page
    form = client.get(link).content.decode()
    # The entry comes ready: a disbursement to the carer of this sponsorship, its monthly amount.
    assert f'<option value="{sponsorship.pk}" selected>' in form
    assert '<option value="disbursement" selected>' in form and '<option value="carer" selected>' in form
    assert 'value="1000000"' in form
    response = client.post(
        f"/sponsorship/campaigns/{scene.campaign.pk}/",
        {
            "action": "entry",
            "entry-kind": "disbursement",
            "entry-amount": "1000000",
            "entry-occurred_on": clock.today().strftime("%d/%m/%Y"),
            "entry-document": "Phiếu chi 02",
            "entry-purpose": "living",
            "entry-sponsorship": str(sponsorship.pk),
            "entry-recipient": "carer",
            "entry-carer_phone": "0987654321",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(kind="disbursement")
    assert entry.sponsorship == sponsorship and entry.child == scene.child
    page = client.get(f"/sponsorship/{sponsorship.pk}/").content.decode()
    assert f"/sponsorship/entries/{entry.pk}/" in page


def test_only_the_coordinators_active_sponsorships_are_offered_for_a_payment(scene, client):
    offered = scene.offer()  # not matched yet: nobody to pay
    matched = scene.matched()
    client.force_login(scene.coordinator_b)
    assert (
        client.get(f"/sponsorship/campaigns/{scene.campaign.pk}/?sponsorship={matched.pk}").status_code == 404
    )
    client.force_login(scene.coordinator)
    form = client.get(
        f"/sponsorship/campaigns/{scene.campaign.pk}/?sponsorship={offered.pk}"
    ).content.decode()
    assert f'value="{matched.pk}"' in form and f'value="{offered.pk}"' not in form
    assert f'<option value="{matched.pk}" selected>' not in form


def test_the_candidates_name_an_unnamed_child_in_words(scene, client):
    orphan(scene.world, given="")
    offer = scene.offer()
    client.force_login(scene.coordinator)
    page = client.get(f"/sponsorship/{offer.pk}/").content.decode()
    assert vi("(not named)") in page and "> — " not in page


def test_the_sponsorship_words_are_its_own(scene, client):
    client.force_login(scene.world.police_a)
    offer = client.get("/sponsorship/offer/").content.decode()
    assert vi("Programme", "sponsorship") == "Chương trình" and "Chương trình" in offer
    client.force_login(scene.coordinator)
    campaign = client.get(f"/sponsorship/campaigns/{scene.campaign.pk}/").content.decode()
    assert vi("Kind", "ledger") in campaign and vi("Kind") not in campaign


def test_the_public_page_names_no_recipient_in_english_and_dates_the_confirmation_in_vietnam(
    scene, client, frozen
):
    scene.receive(3_000_000, "FT001")
    entry = pay(scene, scene.matched())
    # 01:30 in Hà Nội is 18:30 of the evening before in UTC: the confirmation is of Vietnam's day.
    evening = frozen.at.astimezone(dt.UTC).replace(hour=18, minute=30)
    frozen.at = evening if evening > frozen.at else evening + dt.timedelta(days=1)
    services.disbursement_confirm(entry=entry, code=code_sent())
    services.publish(actor=scene.coordinator, everything=True)
    confirmation = json.loads(LedgerLine.objects.order_by("-index").first().entry)
    assert confirmation["date"] == clock.localdate().isoformat() != clock.now().date().isoformat()
    public = client.get("/ledger/").content.decode()
    assert "Individual Recipient" not in public and vi("A child's carer (not named)") in public
    assert vi("of line #%(index)s") % {"index": confirmation["confirms"]} in public
