"""The public ledger is an RFC 6962 log that anyone can check without trusting Haven: the proofs it
serves verify under an implementation written here from the RFC alone (not Haven's merkle.py), the
checkpoint's signature verifies under the published key, a published line cannot be changed, and a
line changed behind the database's back makes verification fail."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import DatabaseError, IntegrityError, connection, transaction

from haven.sponsorship import log
from haven.sponsorship.models import Checkpoint, LedgerLine, Witness

# --- An independent reading of RFC 6962 §2.1 (and its verification algorithms, RFC 9162 §2.1.3.2 and
# §2.1.4.2, which check the same proofs) -------------------------------------------------------------


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) by the definition: the empty hash, a leaf hash, or the hash of the split at k."""
    n = len(leaves)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, sha(b"\x00" + leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha(b"\x01" + p + r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, path) -> bool:
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    if first & (first - 1) == 0:  # a power of two: the first root is the proof's first node
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = sha(b"\x01" + c + fr)
            sr = sha(b"\x01" + c + sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# --- What a member of the public does with the endpoints ---------------------------------------------


def publish(n: int, start: int = 0) -> None:
    log.append(
        [
            {"type": "receipt", "amount": 500_000 + i, "currency": "VND", "bank_reference": f"FT{i:06d}"}
            for i in range(start, start + n)
        ]
    )


def get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def fetch_entries(client, size: int) -> list[bytes]:
    found = get(client, f"/ledger/entries?start=0&end={size - 1}")["entries"]
    assert [e["index"] for e in found] == list(range(size))
    assert all(base64.b64decode(e["leaf_input"]) == e["entry"].encode() for e in found)
    return [e["entry"].encode() for e in found]


def signed_root(client) -> tuple[int, bytes]:
    head = get(client, "/ledger/checkpoint")
    key = get(client, "/ledger/keys")["keys"][str(head["key_version"])]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
        base64.b64decode(head["signature"]), head["note"].encode()
    )
    assert json.loads(head["note"]) == {k: head[k] for k in ("root_hash", "timestamp", "tree_size")}
    assert head["note"] == json.dumps(json.loads(head["note"]), sort_keys=True, separators=(",", ":"))
    return head["tree_size"], bytes.fromhex(head["root_hash"])


@pytest.mark.django_db
def test_the_signed_root_is_the_rfc_6962_hash_of_the_entries_served(client):
    publish(13)
    log.checkpoint_publish()
    size, root = signed_root(client)
    entries = fetch_entries(client, size)
    assert size == 13 and root == mth(entries)
    for entry in entries:
        again = json.dumps(json.loads(entry), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert again.encode() == entry


@pytest.mark.django_db
def test_every_inclusion_proof_verifies_for_every_tree_size(client):
    publish(21)
    entries = fetch_entries(client, 21)
    for size in range(1, 22):
        root = mth(entries[:size])
        for index in range(size):
            proof = get(client, f"/ledger/proof/inclusion?index={index}&tree_size={size}")
            path = [bytes.fromhex(h) for h in proof["audit_path"]]
            assert verify_inclusion(entries[index], index, size, path, root), (index, size)
            # and it proves nothing for another line, or at another place
            assert not verify_inclusion(entries[(index + 1) % size], index, size, path, root) or size == 1
            assert not verify_inclusion(entries[index], index ^ 1, size, path, root) or size == 1


@pytest.mark.django_db
def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(client):
    publish(19)
    entries = fetch_entries(client, 19)
    for second in range(1, 20):
        for first in range(1, second + 1):
            proof = get(client, f"/ledger/proof/consistency?first={first}&second={second}")
            path = [bytes.fromhex(h) for h in proof["consistency_path"]]
            assert verify_consistency(first, second, mth(entries[:first]), mth(entries[:second]), path)
            if first < second:
                forged = [b"forged", *entries[1:first]]
                assert not verify_consistency(first, second, mth(forged), mth(entries[:second]), path)


@pytest.mark.django_db
def test_yesterdays_checkpoint_is_extended_by_todays(client, frozen):
    publish(5)
    yesterday = log.checkpoint_publish()
    frozen.advance(days=1)
    publish(6, start=5)
    today = log.checkpoint_publish()
    proof = get(client, f"/ledger/proof/consistency?first={yesterday.tree_size}&second={today.tree_size}")
    path = [bytes.fromhex(h) for h in proof["consistency_path"]]
    assert verify_consistency(5, 11, bytes.fromhex(yesterday.root_hash), bytes.fromhex(today.root_hash), path)


@pytest.mark.django_db
def test_the_database_refuses_to_change_a_published_line():
    publish(3)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        LedgerLine.objects.filter(index=1).update(entry='{"amount":1}')
    assert json.loads(LedgerLine.objects.get(index=1).entry)["amount"] == 500_001


def _tamper(sql: str, params: list) -> None:
    """What someone with the database's administrator rights could do: lift the guard, change a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE sponsorship_ledgerline DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER sponsorship_ledgerline_append_only")
        cursor.execute(sql, params)


@pytest.mark.django_db
@pytest.mark.parametrize("index", [0, 4, 7])
def test_a_line_changed_behind_the_databases_back_fails_verification(client, index):
    publish(8)
    log.checkpoint_publish()
    size, root = signed_root(client)
    honest = fetch_entries(client, size)
    assert honest[index] != b""
    changed = json.loads(honest[index])
    changed["amount"] = 50_000_000
    _tamper(
        'UPDATE sponsorship_ledgerline SET entry = %s WHERE "index" = %s',
        [json.dumps(changed, sort_keys=True, separators=(",", ":")), index],
    )
    served = fetch_entries(client, size)
    assert served[index] != honest[index]
    proof = get(client, f"/ledger/proof/inclusion?index={index}&tree_size={size}")
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    assert not verify_inclusion(served[index], index, size, path, root)
    assert mth(served) != root
    # the other lines still verify: the reader knows which one was changed
    others = [i for i in range(size) if i != index]
    for i in others:
        proof = get(client, f"/ledger/proof/inclusion?index={i}&tree_size={size}")
        assert verify_inclusion(served[i], i, size, [bytes.fromhex(h) for h in proof["audit_path"]], root)


@pytest.mark.django_db
def test_a_donor_finds_their_gift_by_reference_and_amount_with_its_proof(client):
    publish(6)
    log.checkpoint_publish()
    size, root = signed_root(client)
    found = get(client, "/ledger/lookup?reference=FT000003&amount=500003")["lines"]
    assert len(found) == 1
    line = found[0]
    path = [bytes.fromhex(h) for h in line["audit_path"]]
    assert verify_inclusion(line["entry"].encode(), line["index"], size, path, root)
    assert get(client, "/ledger/lookup?reference=FT000003&amount=500000")["lines"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/ledger/proof/inclusion?index=5&tree_size=3",
        "/ledger/proof/inclusion?index=0&tree_size=99",
        "/ledger/proof/inclusion?index=-1&tree_size=3",
        "/ledger/proof/inclusion?index=x&tree_size=3",
        "/ledger/proof/consistency?first=3&second=2",
        "/ledger/proof/consistency?first=0&second=2",
        "/ledger/proof/consistency?first=1&second=99999999999999999999999",
        "/ledger/entries?start=2&end=1",
        "/ledger/entries?start=40&end=41",
        "/ledger/lookup?reference=&amount=1",
        "/ledger/lookup?reference=FT1&amount=abc",
    ],
)
def test_a_bad_question_is_answered_with_the_reason(client, url):
    publish(3)
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["message"]


@pytest.mark.django_db
def test_a_witness_countersigns_a_checkpoint_only_with_its_own_key(client):
    publish(2)
    head = log.checkpoint_publish()
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    Witness.objects.create(name="Ủy ban MTTQ tỉnh", public_key=public)
    forged = base64.b64encode(Ed25519PrivateKey.generate().sign(head.note.encode())).decode()
    body = {"witness": "Ủy ban MTTQ tỉnh", "tree_size": 2, "signature": forged}
    refused = client.post("/ledger/cosign", json.dumps(body), content_type="application/json")
    assert refused.status_code == 400 and not head.cosignatures.exists()
    body["signature"] = base64.b64encode(key.sign(head.note.encode())).decode()
    accepted = client.post("/ledger/cosign", json.dumps(body), content_type="application/json")
    assert accepted.status_code == 200
    assert accepted.json()["cosignatures"][0]["witness"] == "Ủy ban MTTQ tỉnh"
    assert Checkpoint.objects.get(pk=head.pk).cosignatures.count() == 1
