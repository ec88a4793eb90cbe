"""The public ledger's page, without login: receipts and spending side by side by campaign, programme,
facility and commune; the latest signed checkpoint; a donor's own check; the open data.

Everything shown is computed from the published lines themselves, so a reader who downloads them
finds the same figures; counts of children are protected by the one disclosure policy
(reports/disclosure.py), and children appear only as pseudonyms in the downloads.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.areas.models import Area
from haven.reports import disclosure
from haven.reports.exports import neutralise
from haven.sponsorship import merkle, signing
from haven.sponsorship.ledger_views import BadRequest, lookup_lines, lookup_query
from haven.sponsorship.models import Campaign, Checkpoint, EntryKind, LedgerLine, ProgrammeType, PurposeCode
from haven.sponsorship.services.publication import INDIVIDUAL_RECIPIENT, OUTGOING

INCOMING = (EntryKind.RECEIPT, EntryKind.IN_KIND_RECEIPT)
COLUMNS = (
    ("received", INCOMING),
    ("committed", (EntryKind.COMMITMENT,)),
    ("disbursed", (EntryKind.DISBURSEMENT, EntryKind.GOODS_ISSUE)),
    ("spent", (EntryKind.EXPENDITURE,)),
)


def _sums(lines, key: str) -> list[dict]:
    """Amounts by ``key`` and column, from the published lines (corrections counted against the kind
    they correct)."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {c: 0 for c, _k in COLUMNS})
    for row in lines.values(key, "kind").annotate(total=Sum("amount")):
        for column, kinds in COLUMNS:
            if row["kind"] in kinds:
                table[row[key] or ""][column] += row["total"] or 0
    rows = []
    for name, values in sorted(table.items()):
        values["balance"] = values["received"] - values["disbursed"] - values["spent"]
        rows.append({"key": name, **values})
    return rows


def _recipients_by_location(lines) -> tuple[list[dict], disclosure.Count]:
    """Children (pseudonyms) who received, by place, protected: primary and secondary suppression
    over the places and their total."""
    counts = dict(
        lines.filter(kind=EntryKind.DISBURSEMENT, recipient__startswith="360G-")
        .values_list("location")
        .annotate(n=Count("recipient", distinct=True))
        .values_list("location", "n")
    )
    grid = disclosure.Grid()
    for place, n in counts.items():
        grid.cell(place, n)
    total = sum(counts.values())
    grid.cell("__total__", total)
    grid.add_sum("__total__", list(counts))
    shown = disclosure.shown(grid, exact=False)
    return [{"key": k, "count": shown[k]} for k in sorted(counts)], shown["__total__"]


def shown(entry: dict) -> dict:
    """A published line as a reader reads it: the kind in words, the date as dd/mm/yyyy, who gave or
    received in words (a child's carer is never named; the data keep 360Giving's term)."""
    kinds = {**dict(EntryKind.choices), "confirmation": _("Confirmation by the carer")}
    day = entry.get("date", "")
    if entry.get("type") == "confirmation":
        party = _("of line #%(index)s") % {"index": entry.get("confirms", "")}
    elif entry.get("recipient") == INDIVIDUAL_RECIPIENT:
        party = _("A child's carer (not named)")
    else:
        party = entry.get("payer") or entry.get("recipient") or entry.get("funder") or ""
    return {
        "kind": str(kinds.get(entry.get("type", ""), entry.get("type", ""))),
        "date": "/".join(reversed(day.split("-"))) if day else "",
        "party": party,
    }


def _names(codes) -> dict[str, str]:
    return {a.code: a.name for a in Area.objects.filter(code__in=[c for c in codes if c]).order_by("-level")}


@markers.public
@require_GET
def page(request):
    lines = LedgerLine.objects.all()
    checkpoint = Checkpoint.objects.order_by("-tree_size", "-timestamp", "-pk").first()
    campaigns = {c.code: c for c in Campaign.objects.select_related("organiser")}
    programmes = {p.code: str(p) for p in ProgrammeType.objects.all()}
    by_location = _sums(lines, "location")
    recipients, recipients_total = _recipients_by_location(lines)
    names = _names([r["key"] for r in by_location])
    counts = {r["key"]: r["count"] for r in recipients}
    for row in by_location:
        row["name"] = names.get(row["key"], row["key"])
        row["children"] = counts.get(row["key"])
    by_campaign = _sums(lines, "campaign")
    for row in by_campaign:
        found = campaigns.get(row["key"])
        row["name"] = found.name if found else row["key"]
        row["organiser"] = found.organiser.name if found else ""
    by_programme = _sums(lines, "programme")
    for row in by_programme:
        row["name"] = programmes.get(row["key"], _("Not in a programme"))
    by_facility = [r for r in _sums(lines.exclude(facility=""), "facility")]
    recent = []
    for line in lines.order_by("-index")[:30]:
        entry = json.loads(line.entry)
        recent.append(
            {
                "line": line,
                "entry": entry,
                "shown": shown(entry),
                "place": names.get(entry.get("location", ""), entry.get("location", "")),
            }
        )
    return render(
        request,
        "sponsorship/public.html",
        {
            "checkpoint": checkpoint,
            "first_lines": min(99, checkpoint.tree_size - 1) if checkpoint and checkpoint.tree_size else 0,
            "keys": signing.public_keys(),
            "by_campaign": by_campaign,
            "by_programme": by_programme,
            "by_location": by_location,
            "by_facility": by_facility,
            "recipients_total": recipients_total,
            "recent": recent,
            "form": _lookup_form(None),
            "public": True,
        },
    )


def _lookup_form(data):
    from haven.sponsorship.forms import LookupForm

    return LookupForm(data)


@markers.public
@require_GET
def donor_lookup(request):
    """A donor's own check: the line of their gift, its inclusion proof and the signed root, which the
    page verifies here and which they can verify themselves with the JSON endpoints."""
    form = _lookup_form(request.GET or None)
    found, error = [], ""
    if request.GET:
        try:
            reference, amount = lookup_query(request.GET)
        except BadRequest as refusal:
            error = refusal.message
        else:
            found = lookup_lines(reference, amount)
            campaign_names = dict(Campaign.objects.values_list("code", "name"))
            for item in found:
                item["fields"] = json.loads(item["entry"])
                item["shown"] = shown(item["fields"])
                checkpoint = item["checkpoint"]
                item["verified"] = bool(checkpoint) and _verifies(item, checkpoint)
                code = item["fields"].get("campaign", "")
                item["campaign_name"] = campaign_names.get(code, code)
    return render(
        request,
        "sponsorship/donor.html",
        {"form": form, "found": found, "error": error, "asked": bool(request.GET), "public": True},
    )


def _verifies(item: dict, checkpoint: dict) -> bool:
    size, index = checkpoint["tree_size"], item["index"]
    path = [bytes.fromhex(h) for h in item["audit_path"]]
    leaf = merkle.leaf_hash(item["entry"].encode())
    # Recompute the root from the leaf and its path (RFC 6962 §2.1.1), and check the signature.
    ranges = merkle.path_ranges(index, size)
    h = leaf
    for (lo, _hi), sibling in zip(ranges, path, strict=True):
        h = merkle.node_hash(sibling, h) if lo < index else merkle.node_hash(h, sibling)
    key = signing.public_keys().get(checkpoint["key_version"], "")
    return h.hex() == checkpoint["root_hash"] and signing.verify(
        key, checkpoint["note"].encode(), checkpoint["signature"]
    )


# --- Open data: 360Giving-compatible ------------------------------------------------------------------

GRANT_COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Ind:Identifier",
    "Recipient Ind:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Last Modified",
    "Haven:Transaction Type",
    "Haven:IATI Transaction Type",
    "Haven:Ledger Index",
    "Haven:Leaf Hash",
)


def _grants():
    """Outgoing lines and commitments as 360Giving grants: a child is "Individual Recipient" with the
    campaign's pseudonym, the place a commune or a province code, titles from the purpose list."""
    campaigns = {c.code: c for c in Campaign.objects.select_related("organiser")}
    purposes = dict(PurposeCode.choices)
    kinds = dict(EntryKind.choices)
    for line in (
        LedgerLine.objects.filter(kind__in=(*OUTGOING, EntryKind.COMMITMENT)).order_by("index").iterator()
    ):
        entry = json.loads(line.entry)
        campaign = campaigns.get(entry.get("campaign", ""))
        individual = entry.get("recipient") == INDIVIDUAL_RECIPIENT
        yield {
            "Identifier": f"360G-haven-L{line.index}",
            "Title": str(purposes.get(entry.get("purpose", ""), "")),
            "Description": str(kinds.get(entry.get("type", ""), entry.get("type", ""))),
            "Currency": "VND",
            "Amount Awarded": entry.get("amount", 0),
            "Award Date": entry.get("date", ""),
            "Recipient Org:Identifier": ""
            if individual
            else f"XI-HAVEN-ORG-{entry.get('recipient', '')[:40]}",
            "Recipient Org:Name": "" if individual else entry.get("recipient", ""),
            "Recipient Ind:Identifier": entry.get("recipient_id", "") if individual else "",
            "Recipient Ind:Name": INDIVIDUAL_RECIPIENT if individual else "",
            "Funding Org:Identifier": f"XI-HAVEN-{entry.get('campaign', '')}",
            "Funding Org:Name": campaign.name if campaign else entry.get("campaign", ""),
            "Beneficiary Location:Geographic Code": entry.get("location", ""),
            "Beneficiary Location:Geographic Code Type": f"VN-{entry.get('location_level', '')}",
            "Last Modified": line.published_at.isoformat(),
            "Haven:Transaction Type": entry.get("type", ""),
            "Haven:IATI Transaction Type": entry.get("iati_transaction_type", ""),
            "Haven:Ledger Index": line.index,
            "Haven:Leaf Hash": merkle.leaf_hash(line.entry.encode()).hex(),
        }


def _grant_json(row: dict) -> dict:
    grant = {
        "id": row["Identifier"],
        "title": row["Title"],
        "description": row["Description"],
        "currency": row["Currency"],
        "amountAwarded": row["Amount Awarded"],
        "awardDate": row["Award Date"],
        "fundingOrganization": [{"id": row["Funding Org:Identifier"], "name": row["Funding Org:Name"]}],
        "beneficiaryLocation": [
            {
                "geoCode": row["Beneficiary Location:Geographic Code"],
                "geoCodeType": row["Beneficiary Location:Geographic Code Type"],
            }
        ],
        "dateModified": row["Last Modified"],
        "haven": {
            "transactionType": row["Haven:Transaction Type"],
            "iatiTransactionType": row["Haven:IATI Transaction Type"],
            "ledgerIndex": row["Haven:Ledger Index"],
            "leafHash": row["Haven:Leaf Hash"],
        },
    }
    if row["Recipient Ind:Name"]:
        grant["recipientIndividual"] = {
            "id": row["Recipient Ind:Identifier"],
            "name": row["Recipient Ind:Name"],
        }
    else:
        grant["recipientOrganization"] = [
            {"id": row["Recipient Org:Identifier"], "name": row["Recipient Org:Name"]}
        ]
    return grant


@markers.public
@require_GET
def open_data(request, fmt: str):
    if fmt == "json":
        checkpoint = Checkpoint.objects.order_by("-tree_size", "-timestamp", "-pk").first()
        body = {
            "grants": [_grant_json(row) for row in _grants()],
            "meta": {
                "publisher": "Haven",
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "checkpoint": {"tree_size": checkpoint.tree_size, "root_hash": checkpoint.root_hash}
                if checkpoint
                else None,
            },
        }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = 'attachment; filename="haven-360giving.json"'
        return response
    if fmt != "csv":
        raise Http404
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=GRANT_COLUMNS)
    writer.writeheader()
    for row in _grants():
        writer.writerow({k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="haven-360giving.csv"'
    return response
