"""The journey through the pages: a police unit sponsors through "con nuôi công an xã" in its commune,
the coordinator matches a child, a disbursement is confirmed by the carer's code, and the public page
and a donor's check show it without identifying the child. Refused first: who may not reach what."""

from __future__ import annotations

import json
import re

import pytest

from haven.core import clock
from haven.notifications.models import OutboxMessage
from haven.sponsorship import services
from haven.sponsorship.models import Entry, Message, Sponsorship, SponsorshipState


def login(client, user) -> None:
    client.force_login(user)


@pytest.mark.parametrize("persona", ["caregiver_b", "school_a", "analyst", "officer_a"])
def test_roles_without_sponsorship_are_refused_its_pages(scene, client, persona):
    sponsorship = scene.offer()
    login(client, getattr(scene.world, persona))
    for url in (
        "/sponsorship/",
        f"/sponsorship/{sponsorship.pk}/",
        f"/sponsorship/campaigns/{scene.campaign.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_coordinator_of_another_commune_sees_neither_the_offer_nor_the_campaign(scene, client):
    sponsorship = scene.offer()
    login(client, scene.coordinator_b)
    assert client.get(f"/sponsorship/{sponsorship.pk}/").status_code == 404
    assert client.get(f"/sponsorship/campaigns/{scene.campaign.pk}/").status_code == 404


def test_the_police_unit_to_the_public_page(scene, client):
    world = scene.world
    # The commune police offers through the programme, to its commune: it names no child.
    login(client, world.police_a)
    page = client.get("/sponsorship/offer/")
    assert page.status_code == 200
    response = client.post(
        "/sponsorship/offer/",
        {
            "sponsor": scene.police_sponsor.pk,
            "programme": scene.programme.pk,
            "commune": world.commune_a.pk,
            "form": "cash_monthly",
            "monthly_amount": "1000000",
            "until_adult": "on",
        },
    )
    sponsorship = Sponsorship.objects.get()
    assert response.status_code == 302 and sponsorship.child is None
    # The coordinator matches the child.
    login(client, scene.coordinator)
    page = client.get(f"/sponsorship/{sponsorship.pk}/")
    assert scene.child.given_name in page.content.decode()
    client.post(f"/sponsorship/{sponsorship.pk}/match/", {"match-child": str(scene.child.pk)})
    sponsorship.refresh_from_db()
    assert sponsorship.state == SponsorshipState.ACTIVE
    # The sponsor sees a first name, an age band and a commune: no surname, no date of birth.
    login(client, world.police_a)
    seen = client.get(f"/sponsorship/{sponsorship.pk}/").content.decode()
    # Read in the page's content, not the header naming the signed-in person (who may share a surname).
    seen = seen.split("<main", 1)[1].split("</main>", 1)[0]
    assert scene.child.given_name in seen and world.commune_a.name in seen
    assert scene.child.family_name not in seen and scene.child.date_of_birth.strftime("%d/%m/%Y") not in seen
    # A message carrying a phone number is refused with the reason.
    refused = client.post(
        f"/sponsorship/{sponsorship.pk}/message/", {"message-text": "Gọi chú số 0912 345 678 nhé"}
    )
    assert refused.status_code == 200 and not Message.objects.exists()
    # Money received and paid to the carer, confirmed by the code the carer got by SMS.
    scene.receive(2_000_000, "FT24090300123", payer_name="Trần Văn An", memo="ung ho chau")
    login(client, scene.coordinator)
    client.post(
        f"/sponsorship/campaigns/{scene.campaign.pk}/",
        {
            "action": "entry",
            "entry-kind": "disbursement",
            "entry-amount": "1000000",
            "entry-occurred_on": clock.today().strftime("%d/%m/%Y"),
            "entry-document": "Phiếu chi 01/2026",
            "entry-purpose": "living",
            "entry-sponsorship": str(sponsorship.pk),
            "entry-recipient": "carer",
            "entry-carer_phone": "0987654321",
        },
    )
    disbursement = Entry.objects.get(kind="disbursement")
    code = re.search(r"(?<![\d.])\d{6}(?![\d.])", OutboxMessage.objects.get(to="0987654321").body).group()
    assert code not in client.get(f"/sponsorship/entries/{disbursement.pk}/").content.decode()
    client.post(f"/sponsorship/entries/{disbursement.pk}/", {"action": "confirm", "code": code})
    disbursement.refresh_from_db()
    assert disbursement.confirmed_via == "carer"
    client.post(f"/sponsorship/campaigns/{scene.campaign.pk}/", {"action": "publish"})
    # The public page, without login: the money, not the child.
    client.logout()
    public = client.get("/ledger/").content.decode()
    assert "1.000.000" in public or "1,000,000" in public
    for private in (scene.child.given_name, scene.child.family_name, "Trần Văn An", "ung ho chau"):
        assert private not in public
    # The donor checks their gift and the page verifies the proof against the signed root.
    found = client.get(
        "/ledger/donors/", {"reference": "FT24090300123", "amount": "2.000.000"}
    ).content.decode()
    assert 'id="proof-ok"' in found
    grants = json.loads(client.get("/ledger/open-data.json").content)["grants"]
    assert grants and grants[0]["recipientIndividual"]["name"] == "Individual Recipient"
    assert scene.child.given_name not in json.dumps(grants, ensure_ascii=False)
    csv = client.get("/ledger/open-data.csv").content.decode("utf-8-sig")
    assert csv.startswith("Identifier,Title,Description,Currency,Amount Awarded,Award Date")


def test_a_bad_statement_shows_every_wrong_row(scene, client):
    login(client, scene.coordinator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "sk.csv", "Ngày,Số tham chiếu,Số tiền\n32/13/2026,FT1,100\n".encode(), "text/csv"
    )
    page = client.post(
        f"/sponsorship/campaigns/{scene.campaign.pk}/",
        {"action": "statement", "statement-file": upload, "statement-commune": scene.world.commune_a.pk},
    )
    assert page.status_code == 200 and 'id="statement-problems"' in page.content.decode()
    assert not Entry.objects.exists()


def test_the_api_refuses_a_disbursement_beyond_the_balance_with_the_reason(scene, client):
    from haven.accounts.models import ApiToken

    sponsorship = scene.matched()
    _token, key = ApiToken.issue(user=scene.coordinator, name="test", scope="write")
    response = client.post(
        f"/api/v1/sponsorship/campaigns/{scene.campaign.pk}/entries",
        json.dumps(
            {
                "kind": "disbursement",
                "amount": 1_000_000,
                "occurred_on": clock.today().isoformat(),
                "document": "PC 01",
                "sponsorship_id": str(sponsorship.pk),
                "recipient": "carer",
                "carer_phone": "0987654321",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422
    assert "amount" in response.json()["fields"]
    assert services.figures(campaign=scene.campaign).disbursed == 0
