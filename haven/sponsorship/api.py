"""/api/v1/sponsorship: every step of sponsorship and the resource ledger, through the same services and
access rules as the pages. A refusal is 409 (the step is not open, or a rule refuses it) or 422 (the
data), with the reason and nothing changed; what a caller may not reach is 404. The public ledger
itself (checkpoints, entries, proofs) is at /ledger/, without a token."""

from __future__ import annotations

import datetime as dt
import uuid

from django.shortcuts import get_object_or_404
from ninja import Field, File, Path, Router, Schema, Status
from ninja.files import UploadedFile

from haven.api.errors import Error
from haven.areas.models import Area
from haven.foundlings.api import MAX_ID, Day, Line, Prose
from haven.people.models import Child
from haven.sponsorship import selectors, services
from haven.sponsorship.models import (
    EntryKind,
    Form,
    PayerKind,
    Programme,
    ProgrammeType,
    Purpose,
    PurposeCode,
    Recipient,
    SponsorKind,
    SponsorshipEndReason,
    SponsorshipState,
    Visit,
)
from haven.sponsorship.services import reconciliation
from haven.sponsorship.services.statements import StatementRefused

router = Router(tags=["sponsorship"])
ERRORS = {404: Error, 409: Error, 422: Error}
Id = Path(..., ge=1, le=MAX_ID)


class ProgrammeTypeOut(Schema):
    code: str
    name: str
    name_en: str
    sponsor_kinds: list[str]
    forms: list[str]
    min_months: int | None
    max_months: int | None
    until_age: int | None
    typical_monthly: int | None
    source: str
    verified: bool


class ProgrammeOut(Schema):
    id: int
    type: str = Field(..., alias="type_id")
    name: str
    area_code: str = Field(..., alias="area.code")
    is_active: bool


class SponsorIn(Schema):
    kind: SponsorKind
    name: Line = Field(..., max_length=200, pattern=r"\S")
    phone: Line = Field(default="", max_length=20)
    publish_identity: bool = False
    commune_code: str = Field(..., max_length=5, description="where the sponsor is registered")


class SponsorOut(Schema):
    id: uuid.UUID
    kind: SponsorKind
    name: str
    publish_identity: bool
    vetted: bool


class VettingIn(Schema):
    judicial_record_number: Line = Field(..., max_length=40)
    judicial_record_date: Day
    referee: Line = Field(..., max_length=300)
    briefing_acknowledged_on: Day


class OfferIn(Schema):
    sponsor_id: uuid.UUID
    programme_id: int = Field(..., ge=1, le=MAX_ID)
    commune_code: str = Field(..., max_length=5)
    form: Form
    monthly_amount: int = Field(default=0, ge=0, le=100_000_000)
    months: int | None = Field(default=None, ge=1, le=240)
    until_adult: bool = False
    direct_contact: bool = False


class SponsoredChildOut(Schema):
    first_name: str
    age_band: str
    commune: str


class SponsorshipOut(Schema):
    id: uuid.UUID
    state: SponsorshipState
    sponsor: str
    programme: str
    commune_code: str
    form: Form
    monthly_amount: int
    until_adult: bool
    months: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    contact_approved: bool
    child: SponsoredChildOut | None = Field(..., description="what a sponsor sees of the child, nothing more")


class CandidateOut(Schema):
    id: uuid.UUID
    first_name: str
    age_band: str


class MatchIn(Schema):
    child_id: uuid.UUID


class ReasonIn(Schema):
    reason: Prose = Field(..., max_length=300, pattern=r"\S")


class SponsorshipEndIn(Schema):
    reason: SponsorshipEndReason


class ConsentIn(Schema):
    purpose: Purpose
    child_agreed: bool
    representative_agreed: bool


class ExitPlanIn(Schema):
    plan: Prose = Field(..., max_length=2000)


class MessageIn(Schema):
    text: Prose = Field(..., max_length=2000)


class SponsorshipVisitRequestIn(Schema):
    planned_at: dt.datetime
    place: Line = Field(..., max_length=200)


class VisitDecisionIn(Schema):
    approve: bool
    supervisor: Line = Field(default="", max_length=120)
    at_home_or_school: bool = False
    reason_for_place: Line = Field(default="", max_length=300)


class SponsorshipVisitOut(Schema):
    id: int
    planned_at: dt.datetime
    place: str
    state: str
    supervisor: str


class CampaignIn(Schema):
    code: str = Field(..., max_length=40)
    name: Line = Field(..., max_length=200)
    commune_code: str = Field(..., max_length=5)
    bank_account: str = Field(..., max_length=20)
    receives_from: Day
    receives_until: dt.date
    programme_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class LedgerFiguresOut(Schema):
    received: int
    received_in_kind: int
    committed: int
    disbursed: int
    spent: int
    goods_issued: int
    cash: int
    goods: int


class CampaignOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    bank_account: str
    receives_from: dt.date
    receives_until: dt.date
    figures: LedgerFiguresOut


class EntryIn(Schema):
    kind: EntryKind
    amount: int = Field(..., ge=1, le=10**13)
    occurred_on: Day
    document: Line = Field(..., max_length=80)
    purpose: PurposeCode = PurposeCode.GENERAL
    commune_code: str = Field(default="", max_length=5)
    sponsorship_id: uuid.UUID | None = None
    organisation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    bank_reference: Line = Field(default="", max_length=40)
    payer_kind: PayerKind | None = None
    payer_name: Line = Field(default="", max_length=200)
    payer_publish: bool = False
    memo: Line = Field(default="", max_length=300, description="kept; never published")
    recipient: Recipient | None = None
    carer_phone: Line = Field(default="", max_length=20)


class EntryOut(Schema):
    id: uuid.UUID
    kind: str
    amount: int
    occurred_on: dt.date
    confirmed: bool
    public_index: int | None


class ConfirmIn(Schema):
    code: str = Field(default="", max_length=6, description="the code the carer received")
    provider_reference: Line = Field(
        default="", max_length=60, description="or the payment provider's return"
    )


class LedgerIssueOut(Schema):
    code: str
    message: str


class LedgerReconciliationOut(Schema):
    figures: LedgerFiguresOut
    issues: list[LedgerIssueOut]


class RowProblemOut(Schema):
    row: int
    message: str


class ImportOut(Schema):
    rows: int


class StatementErrorOut(Schema):
    code: str
    message: str
    rows: list[RowProblemOut]


def _commune(code: str) -> Area:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    found = Area.objects.communes().filter(code=code).first()
    if found is None:
        raise ValidationError(
            {"commune_code": ValidationError(_("Choose a commune from the list."), code="unknown")}
        )
    return found


def _sponsorship_out(s) -> dict:
    child = selectors.child_for_sponsor(s)
    return {
        "id": s.pk,
        "state": s.state,
        "sponsor": s.sponsor.name,
        "programme": s.programme.type_id,
        "commune_code": s.commune.code,
        "form": s.form,
        "monthly_amount": s.monthly_amount,
        "until_adult": s.until_adult,
        "months": s.months,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "contact_approved": s.contact_approved_at is not None,
        "child": child.__dict__ if child else None,
    }


def _campaign_out(c) -> dict:
    figures = services.figures(campaign=c)
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "bank_account": c.bank_account,
        "receives_from": c.receives_from,
        "receives_until": c.receives_until,
        "figures": figures.__dict__,
    }


def _entry_out(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "amount": e.amount,
        "occurred_on": e.occurred_on,
        "confirmed": e.confirmed_at is not None,
        "public_index": e.line_id,
    }


# --- Programmes and sponsors ----------------------------------------------------------------------


@router.get("/programme-types", response={200: list[ProgrammeTypeOut]})
def programme_types(request):
    """The community models and their rules as data."""
    return list(ProgrammeType.objects.all())


@router.get("/programmes", response={200: list[ProgrammeOut]})
def programmes(request):
    return list(Programme.objects.filter(is_active=True).select_related("area"))


@router.post("/sponsors", response={201: SponsorOut, **ERRORS})
def sponsor_register(request, payload: SponsorIn):
    data = payload.dict()
    sponsor = services.sponsor_register(actor=request.user, area=_commune(data.pop("commune_code")), **data)
    return Status(201, {**sponsor.__dict__, "vetted": False})


@router.post("/sponsors/{sponsor_id}/vetting", response={201: SponsorOut, **ERRORS})
def vetting_record(request, sponsor_id: uuid.UUID, payload: VettingIn):
    sponsor = get_object_or_404(selectors.sponsors_for(request.user), pk=sponsor_id)
    services.vetting_record(actor=request.user, sponsor=sponsor, **payload.dict())
    return Status(201, {**sponsor.__dict__, "vetted": False})


@router.post("/sponsors/{sponsor_id}/vetting/approve", response={200: SponsorOut, **ERRORS})
def vetting_approve(request, sponsor_id: uuid.UUID):
    sponsor = get_object_or_404(selectors.sponsors_for(request.user), pk=sponsor_id)
    services.vetting_approve(actor=request.user, sponsor=sponsor)
    return {**sponsor.__dict__, "vetted": True}


# --- Sponsorships ---------------------------------------------------------------------------------


@router.post("/sponsorships", response={201: SponsorshipOut, **ERRORS})
def offer(request, payload: OfferIn):
    """A sponsor offers to a programme and a commune, never to a child."""
    sponsor = get_object_or_404(selectors.sponsors_for(request.user), pk=payload.sponsor_id)
    programme = get_object_or_404(Programme.objects.filter(is_active=True), pk=payload.programme_id)
    made = services.sponsorship_offer(
        actor=request.user,
        sponsor=sponsor,
        programme=programme,
        commune=_commune(payload.commune_code),
        form=payload.form,
        monthly_amount=payload.monthly_amount,
        months=payload.months,
        until_adult=payload.until_adult,
        direct_contact=payload.direct_contact,
    )
    return Status(201, _sponsorship_out(selectors.sponsorship_of(request.user, made.pk)))


@router.get("/sponsorships", response={200: list[SponsorshipOut]})
def sponsorships(request):
    return [
        _sponsorship_out(s) for s in selectors.sponsorships_for(request.user).order_by("-created_at")[:500]
    ]


@router.get("/sponsorships/{sponsorship_id}", response={200: SponsorshipOut, 404: Error})
def sponsorship(request, sponsorship_id: uuid.UUID):
    return _sponsorship_out(selectors.sponsorship_of(request.user, sponsorship_id))


@router.get("/sponsorships/{sponsorship_id}/candidates", response={200: list[CandidateOut], 404: Error})
def candidates(request, sponsorship_id: uuid.UUID):
    """The coordinator's match list: first name and age band only."""
    found = selectors.sponsorship_of(request.user, sponsorship_id)
    return [
        {"id": c.pk, "first_name": c.given_name, "age_band": selectors.age_band(c)}
        for c in services.candidates(actor=request.user, sponsorship=found)
    ]


def _step(request, sponsorship_id, run) -> dict:
    found = selectors.sponsorship_of(request.user, sponsorship_id)
    run(found)
    return _sponsorship_out(selectors.sponsorship_of(request.user, sponsorship_id))


@router.post("/sponsorships/{sponsorship_id}/match", response={200: SponsorshipOut, **ERRORS})
def match(request, sponsorship_id: uuid.UUID, payload: MatchIn):
    child = get_object_or_404(Child, pk=payload.child_id)
    return _step(
        request,
        sponsorship_id,
        lambda s: services.sponsorship_match(actor=request.user, sponsorship=s, child=child),
    )


@router.post("/sponsorships/{sponsorship_id}/decline", response={200: SponsorshipOut, **ERRORS})
def decline(request, sponsorship_id: uuid.UUID, payload: ReasonIn):
    return _step(
        request,
        sponsorship_id,
        lambda s: services.sponsorship_decline(actor=request.user, sponsorship=s, reason=payload.reason),
    )


@router.post("/sponsorships/{sponsorship_id}/approve-contact", response={200: SponsorshipOut, **ERRORS})
def approve_contact(request, sponsorship_id: uuid.UUID):
    return _step(
        request, sponsorship_id, lambda s: services.contact_approve(actor=request.user, sponsorship=s)
    )


@router.post("/sponsorships/{sponsorship_id}/consent", response={200: SponsorshipOut, **ERRORS})
def consent(request, sponsorship_id: uuid.UUID, payload: ConsentIn):
    return _step(
        request,
        sponsorship_id,
        lambda s: services.consent_record(actor=request.user, sponsorship=s, **payload.dict()),
    )


@router.post("/sponsorships/{sponsorship_id}/exit-plan", response={200: SponsorshipOut, **ERRORS})
def exit_plan(request, sponsorship_id: uuid.UUID, payload: ExitPlanIn):
    return _step(
        request,
        sponsorship_id,
        lambda s: services.exit_plan_record(actor=request.user, sponsorship=s, plan=payload.plan),
    )


@router.post("/sponsorships/{sponsorship_id}/end", response={200: SponsorshipOut, **ERRORS})
def end(request, sponsorship_id: uuid.UUID, payload: SponsorshipEndIn):
    return _step(
        request,
        sponsorship_id,
        lambda s: services.sponsorship_end(actor=request.user, sponsorship=s, reason=payload.reason),
    )


@router.post("/sponsorships/{sponsorship_id}/messages", response={201: MessageIn, **ERRORS})
def message(request, sponsorship_id: uuid.UUID, payload: MessageIn):
    """Screened: a message with a phone number, an e-mail, a link or a social account is refused (422)
    with the reason, and not kept."""
    found = selectors.sponsorship_of(request.user, sponsorship_id)
    sent = services.message_send(actor=request.user, sponsorship=found, text=payload.text)
    return Status(201, {"text": sent.text})


@router.post("/sponsorships/{sponsorship_id}/visits", response={201: SponsorshipVisitOut, **ERRORS})
def visit_request(request, sponsorship_id: uuid.UUID, payload: SponsorshipVisitRequestIn):
    found = selectors.sponsorship_of(request.user, sponsorship_id)
    return Status(201, services.visit_request(actor=request.user, sponsorship=found, **payload.dict()))


def _visit(request, visit_id: int) -> Visit:
    found = get_object_or_404(Visit.objects.select_related("sponsorship"), pk=visit_id)
    selectors.sponsorship_of(request.user, found.sponsorship_id)
    return found


@router.post("/visits/{visit_id}/decide", response={200: SponsorshipVisitOut, **ERRORS})
def visit_decide(request, payload: VisitDecisionIn, visit_id: int = Id):
    return services.visit_decide(actor=request.user, visit=_visit(request, visit_id), **payload.dict())


@router.post("/visits/{visit_id}/done", response={200: SponsorshipVisitOut, **ERRORS})
def visit_done(request, visit_id: int = Id):
    return services.visit_done(actor=request.user, visit=_visit(request, visit_id))


# --- The resource ledger --------------------------------------------------------------------------


@router.get("/campaigns", response={200: list[CampaignOut]})
def campaigns(request):
    return [_campaign_out(c) for c in selectors.campaigns_for(request.user)]


@router.post("/campaigns", response={201: CampaignOut, **ERRORS})
def campaign_create(request, payload: CampaignIn):
    data = payload.dict()
    programme_id = data.pop("programme_id")
    programme = get_object_or_404(Programme, pk=programme_id) if programme_id else None
    made = services.campaign_create(
        actor=request.user, area=_commune(data.pop("commune_code")), programme=programme, **data
    )
    return Status(201, _campaign_out(made))


def _campaign(request, campaign_id):
    return get_object_or_404(selectors.campaigns_for(request.user), pk=campaign_id)


@router.get("/campaigns/{campaign_id}/reconciliation", response={200: LedgerReconciliationOut, 404: Error})
def reconcile(request, campaign_id: uuid.UUID):
    """Received, committed, disbursed, spent and held; and what does not reconcile."""
    found = _campaign(request, campaign_id)
    return {
        "figures": services.figures(campaign=found).__dict__,
        "issues": [i.__dict__ for i in reconciliation.issues([found])],
    }


@router.post("/campaigns/{campaign_id}/entries", response={201: EntryOut, **ERRORS})
def entry_record(request, campaign_id: uuid.UUID, payload: EntryIn):
    """A receipt after the campaign's period, or money out beyond what it holds, is 422 with the reason."""
    found = _campaign(request, campaign_id)
    data = payload.dict()
    commune_code = data.pop("commune_code")
    sponsorship_id = data.pop("sponsorship_id")
    organisation_id = data.pop("organisation_id")
    from haven.accounts.models import Organisation

    made = services.entry_record(
        actor=request.user,
        campaign=found,
        commune=_commune(commune_code) if commune_code else None,
        sponsorship=selectors.sponsorship_of(request.user, sponsorship_id) if sponsorship_id else None,
        organisation=get_object_or_404(Organisation, pk=organisation_id) if organisation_id else None,
        **{k: (v or "") if k in ("payer_kind", "recipient") else v for k, v in data.items()},
    )
    return Status(201, _entry_out(made))


@router.post(
    "/campaigns/{campaign_id}/statement",
    response={201: ImportOut, 404: Error, 409: StatementErrorOut | Error, 422: Error},
)
def statement(request, campaign_id: uuid.UUID, commune_code: str, file: UploadedFile = File(...)):  # noqa: B008
    """A bank statement (CSV or XLSX): all rows imported, or none, with each wrong row's problem."""
    found = _campaign(request, campaign_id)
    if file.size and file.size > 5 * 1024 * 1024:
        from django.core.exceptions import ValidationError

        raise ValidationError({"file": ValidationError("5 MB", code="too_big")})
    try:
        done = services.statement_import(
            actor=request.user,
            campaign=found,
            commune=_commune(commune_code),
            name=file.name or "",
            content=file.read(),
        )
    except StatementRefused as error:
        return Status(
            409, {"code": error.code, "message": error.message, "rows": [p.__dict__ for p in error.problems]}
        )
    return Status(201, {"rows": done.rows})


@router.post("/campaigns/{campaign_id}/publish", response={200: ImportOut, 404: Error})
def publish(request, campaign_id: uuid.UUID):
    """Publish every recorded entry of the campaign on the public ledger now, and sign a checkpoint."""
    found = _campaign(request, campaign_id)
    return {"rows": services.publish(actor=request.user, campaign=found, everything=True)}


@router.post("/entries/{entry_id}/confirm", response={200: EntryOut, **ERRORS})
def confirm(request, entry_id: uuid.UUID, payload: ConfirmIn):
    """The carer's code, or the payment provider's return."""
    found = selectors.entry_of(request.user, entry_id)
    return _entry_out(
        services.disbursement_confirm(
            entry=found, code=payload.code, provider_reference=payload.provider_reference, actor=request.user
        )
    )


@router.post("/entries/{entry_id}/correct", response={201: EntryOut, **ERRORS})
def correct(request, entry_id: uuid.UUID, payload: ReasonIn):
    found = selectors.entry_of(request.user, entry_id)
    return Status(
        201, _entry_out(services.correction_record(actor=request.user, entry=found, reason=payload.reason))
    )
