"""The public ledger's machine interface, without login (RFC 6962 §4, in JSON over GET):

    /ledger/checkpoint                       the latest signed tree head (or ?tree_size=N)
    /ledger/keys                             the ledger's public keys, by version
    /ledger/entries?start=A&end=B            lines A..B inclusive, their canonical bytes and index
    /ledger/proof/inclusion?index=I&tree_size=N
    /ledger/proof/consistency?first=M&second=N
    /ledger/lookup?reference=R&amount=X      a donor's line, with its proof against the latest checkpoint
    /ledger/cosign  (POST)                   a witness countersigns a checkpoint

Every refusal is a JSON body {"code", "message"} with status 400 or 404, never a 500.
"""

from __future__ import annotations

import base64
import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from haven.access import markers
from haven.core import clock, throttle
from haven.sponsorship import log, signing
from haven.sponsorship.models import Checkpoint, Cosignature, LedgerLine, Witness

MAX_ENTRIES = 1000
# 2^62: beyond it an index is not a number the log could ever reach.
MAX_INDEX = 1 << 62


class BadRequest(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _refusing(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as refusal:
            return JsonResponse({"code": refusal.code, "message": refusal.message}, status=refusal.status)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _number(request, name: str, *, minimum: int = 0) -> int:
    raw = request.GET.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not minimum <= int(raw) <= MAX_INDEX:
        message = _("“%(name)s” must be a whole number of at least %(min)s.")
        raise BadRequest("invalid", message % {"name": name, "min": minimum})
    return int(raw)


def _within(size: int, name: str = "tree_size") -> None:
    current = log.tree_size()
    if size > current:
        raise BadRequest(
            "beyond_log",
            _("The log holds %(current)s lines; “%(name)s” asks for %(size)s.")
            % {"current": current, "name": name, "size": size},
        )


def checkpoint_json(checkpoint: Checkpoint) -> dict:
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "timestamp": checkpoint.timestamp.isoformat(),
        "note": checkpoint.note,
        "signature": checkpoint.signature,
        "key_version": checkpoint.key_version,
        "algorithm": "Ed25519",
        "cosignatures": [
            {"witness": c.witness.name, "public_key": c.witness.public_key, "signature": c.signature}
            for c in checkpoint.cosignatures.select_related("witness")
        ],
    }


@markers.public
@require_GET
@_refusing
def checkpoint(request):
    """The latest signed tree head; ``?tree_size=N`` the latest signed at that size. ``note`` is the
    exact signed bytes: {"root_hash", "timestamp", "tree_size"} as canonical JSON. The log only grows,
    so the latest head is the largest tree's (a head signed under a moved demo clock cannot hide it)."""
    found = Checkpoint.objects.order_by("-tree_size", "-timestamp", "-pk")
    if "tree_size" in request.GET:
        found = found.filter(tree_size=_number(request, "tree_size"))
    latest = found.first()
    if latest is None:
        raise BadRequest("no_checkpoint", _("No checkpoint of this size has been signed."), status=404)
    return JsonResponse(checkpoint_json(latest))


@markers.public
@require_GET
def keys(request):
    return JsonResponse(
        {
            "algorithm": "Ed25519",
            "encoding": "base64 of the 32-byte public key",
            "keys": {str(v): k for v, k in signing.public_keys().items()},
            "current": max(signing.public_keys()),
        }
    )


@markers.public
@require_GET
@_refusing
def entries(request):
    """Lines ``start`` to ``end`` inclusive (RFC 6962 §4.6), at most 1,000 at a time: each with its
    index, its canonical text and the same bytes in base64 (``leaf_input``)."""
    start, end = _number(request, "start"), _number(request, "end")
    if end < start:
        raise BadRequest("invalid", _("“end” comes before “start”."))
    _within(start + 1, "start")
    end = min(end, start + MAX_ENTRIES - 1)
    lines = LedgerLine.objects.filter(index__gte=start, index__lte=end).order_by("index")
    return JsonResponse(
        {
            "entries": [
                {
                    "index": line.index,
                    "entry": line.entry,
                    "leaf_input": base64.b64encode(line.entry.encode()).decode(),
                }
                for line in lines
            ]
        }
    )


@markers.public
@require_GET
@_refusing
def inclusion(request):
    index, size = _number(request, "index"), _number(request, "tree_size", minimum=1)
    _within(size)
    if index >= size:
        raise BadRequest("invalid", _("The line's index must be below the tree size."))
    path = log.inclusion_proof(index, size)
    return JsonResponse({"leaf_index": index, "tree_size": size, "audit_path": [h.hex() for h in path]})


@markers.public
@require_GET
@_refusing
def consistency(request):
    first, second = _number(request, "first", minimum=1), _number(request, "second", minimum=1)
    _within(second, "second")
    if first > second:
        raise BadRequest("invalid", _("“first” must not be larger than “second”."))
    path = log.consistency_proof(first, second)
    return JsonResponse({"first": first, "second": second, "consistency_path": [h.hex() for h in path]})


def lookup_lines(reference: str, amount: int) -> list[dict]:
    """A donor's lines, found by the bank reference and the amount, each with its inclusion proof in
    the latest checkpoint (or the note that it waits for the next one)."""
    latest = Checkpoint.objects.order_by("-tree_size", "-timestamp", "-pk").first()
    found = []
    for line in LedgerLine.objects.filter(bank_reference=reference, amount=amount).order_by("index")[:20]:
        item = {"index": line.index, "entry": line.entry, "published_at": line.published_at.isoformat()}
        if latest is not None and line.index < latest.tree_size:
            item["checkpoint"] = checkpoint_json(latest)
            item["audit_path"] = [h.hex() for h in log.inclusion_proof(line.index, latest.tree_size)]
        else:
            item["checkpoint"] = None
            item["audit_path"] = []
        found.append(item)
    return found


def lookup_query(data) -> tuple[str, int]:
    reference = (data.get("reference") or "").strip()
    raw = (data.get("amount") or "").replace(".", "").replace(",", "").replace(" ", "").strip()
    if not reference or len(reference) > 40:
        raise BadRequest("invalid", _("Give the bank reference of the transfer (up to 40 characters)."))
    if not raw.isascii() or not raw.isdigit() or len(raw) > 15 or int(raw) < 1:
        raise BadRequest("invalid", _("Give the amount in đồng, as a whole number."))
    return reference, int(raw)


@markers.public
@require_GET
@_refusing
def lookup(request):
    reference, amount = lookup_query(request.GET)
    if not throttle.allow(request, "ledger_lookup", limit=120, window=3600):
        message = _("Too many look-ups from this connection: try again in an hour.")
        raise BadRequest("rate_limited", message, 429)
    return JsonResponse({"reference": reference, "amount": amount, "lines": lookup_lines(reference, amount)})


@markers.public
@csrf_exempt  # a witness is a program, authenticated by its signature, not a browser session
@require_POST
@_refusing
def cosign(request):
    """A witness countersigns a checkpoint: {"witness": name, "tree_size": N, "signature": base64 of
    the Ed25519 signature of the checkpoint's ``note``}. Refused unless the signature verifies under
    the witness's registered key."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("tree_size"), int):
        raise BadRequest("malformed", _("Send JSON with the witness, the tree size and the signature."))
    witness = Witness.objects.filter(name=str(body.get("witness", ""))[:200], is_active=True).first()
    checkpoint = (
        Checkpoint.objects.filter(tree_size=body["tree_size"]).order_by("-timestamp", "-pk").first()
        if 0 <= body["tree_size"] <= MAX_INDEX
        else None
    )
    signature = str(body.get("signature", ""))[:100]
    if witness is None or checkpoint is None:
        raise BadRequest("unknown", _("No such witness or checkpoint."), status=404)
    if not signing.verify(witness.public_key, checkpoint.note.encode(), signature):
        raise BadRequest("bad_signature", _("The signature does not verify under the witness's key."))
    Cosignature.objects.get_or_create(
        checkpoint=checkpoint, witness=witness, defaults={"signature": signature, "at": clock.now()}
    )
    return JsonResponse(checkpoint_json(checkpoint))
