"""/api/v1/entitlements: the rules as dated data and the amounts they give, through the same services
and access rules as the pages. A row that would overlap another for the same level or group is 422
"overlap", with nothing changed."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from haven.access.scoping import NotVisible
from haven.api.errors import Error
from haven.api.steps import Steps, step_responses
from haven.areas.models import Area
from haven.audit import services as audit
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation
from haven.deadlines.models import Status as Clock
from haven.entitlements import payroll_views, proposals, selectors, services, views
from haven.entitlements.amounts import Facts, MonthAmount, RuleBook, month_of
from haven.entitlements.models import (
    OPEN_STATES,
    Application,
    AppliedBy,
    BenefitRule,
    CardBasis,
    CareSituation,
    Entitlement,
    Ground,
    HealthInsuranceCard,
    Kind,
    LineKind,
    Method,
    Outcome,
    Parameter,
    ParameterKey,
    PaymentMethod,
    PayrollRun,
    PayrollState,
    Programme,
    State,
)
from haven.entitlements.reconciliation import reconcile
from haven.entitlements.services import provider
from haven.entitlements.services.payroll import list_due
from haven.entitlements.statement import statement_of
from haven.foundlings.api import MAX_ID, Day, Line, Prose
from haven.people.models import Child

router = Router(tags=["entitlements"])
ERRORS = {404: Error, 409: Error, 422: Error}
Citation = Field(..., max_length=300)
Id = Path(..., ge=1, le=MAX_ID)


# --- The rules ----------------------------------------------------------------------------------


class CitedOut(Schema):
    valid_from: dt.date
    valid_to: dt.date | None = Field(
        ..., description="The first day it no longer applies; null while it does"
    )
    citation: str = Field(..., description="The legal basis, in Vietnamese legal naming")
    citation_en: str
    verified: bool = Field(..., description="Checked against the official text; false: not yet")
    verification_note: str


class ParameterOut(CitedOut):
    id: int
    key: ParameterKey
    province_code: str | None = Field(..., description="null: the national level")
    value: int = Field(..., description="VND a month")


class RuleOut(CitedOut):
    id: int
    programme: Programme
    ground: Ground
    care_situation: CareSituation
    age_from: int
    age_to: int | None
    requires_studying: bool
    coefficient: Decimal
    base: ParameterKey


class CitedIn(Schema):
    valid_from: Day
    valid_to: Day | None = None
    citation: Line = Citation
    citation_en: Line = Field(default="", max_length=300)
    verified: bool = False
    verification_note: Line = Field(default="", max_length=300)


class ParameterIn(CitedIn):
    key: ParameterKey = ParameterKey.STANDARD_LEVEL
    province_code: str | None = Field(default=None, max_length=2, description="null: the national level")
    value: int = Field(..., ge=1, le=100_000_000)
    end_current: bool = Field(
        default=False, description="End the open amount of the same level on the day this one starts"
    )


class CitedPatch(Schema):
    valid_from: Day | None = None
    valid_to: Day | None = None
    citation: Line | None = Field(default=None, max_length=300)
    citation_en: Line | None = Field(default=None, max_length=300)
    verified: bool | None = None
    verification_note: Line | None = Field(default=None, max_length=300)


class ParameterPatch(CitedPatch):
    value: int | None = Field(default=None, ge=1, le=100_000_000)


class RuleIn(CitedIn):
    programme: Programme = Programme.MONTHLY_ALLOWANCE
    ground: Ground
    care_situation: CareSituation
    age_from: int = Field(..., ge=0, le=30)
    age_to: int | None = Field(default=None, ge=1, le=30)
    requires_studying: bool = False
    coefficient: Decimal = Field(..., gt=0, le=20, decimal_places=2)


class RulePatch(CitedPatch):
    age_from: int | None = Field(default=None, ge=0, le=30)
    age_to: int | None = Field(default=None, ge=1, le=30)
    requires_studying: bool | None = None
    coefficient: Decimal | None = Field(default=None, gt=0, le=20, decimal_places=2)


def _parameter_out(p: Parameter) -> dict:
    return {
        **{f: getattr(p, f) for f in ("id", "key", "value", *services.rules.PARAMETER_FIELDS)},
        "province_code": p.province.code if p.province_id else None,
    }


def _rule_out(r: BenefitRule) -> dict:
    return {
        f: getattr(r, f)
        for f in ("id", "programme", "ground", "care_situation", "base", *services.rules.RULE_FIELDS)
    }


def _changes(payload: Schema) -> dict:
    """The fields the client sent; a field sent as null that may be null (an end) is kept."""
    sent = payload.dict(exclude_unset=True)
    nullable = {"valid_to", "age_to"}
    found = {k: v for k, v in sent.items() if v is not None or k in nullable}
    if not found:
        raise ValidationError({"__all__": ValidationError(_("Nothing to change."), code="nothing")})
    return found


@router.get("/parameters", response={200: list[ParameterOut]})
def list_parameters(request):
    """Every dated amount, national and provincial, with its citation and whether it was checked."""
    return [
        _parameter_out(p) for p in Parameter.objects.select_related("province").order_by("key", "valid_from")
    ]


@router.post("/parameters", response={201: ParameterOut, **ERRORS})
def add_parameter(request, payload: ParameterIn):
    """The Ministry adds a national amount; a province's department its own higher level."""
    data = payload.dict()
    code = data.pop("province_code")
    province = None
    if code:
        province = Area.objects.provinces().filter(code=code).first()
        if province is None:
            raise ValidationError(
                {"province_code": ValidationError(_("Choose a province from the list."), code="unknown")}
            )
    return Status(201, _parameter_out(services.parameter_add(actor=request.user, province=province, **data)))


@router.patch("/parameters/{parameter_id}", response={200: ParameterOut, **ERRORS})
def change_parameter(request, payload: ParameterPatch, parameter_id: int = Id):
    row = get_object_or_404(Parameter.objects.select_related("province"), pk=parameter_id)
    return _parameter_out(services.parameter_change(actor=request.user, parameter=row, **_changes(payload)))


@router.get("/rules", response={200: list[RuleOut]})
def list_rules(request):
    """Every benefit rule (coefficient by programme, ground, care situation and age band)."""
    return [
        _rule_out(r) for r in BenefitRule.objects.order_by("programme", "ground", "age_from", "valid_from")
    ]


@router.post("/rules", response={201: RuleOut, **ERRORS})
def add_rule(request, payload: RuleIn):
    """The Ministry adds a benefit rule."""
    return Status(201, _rule_out(services.rule_add(actor=request.user, **payload.dict())))


@router.patch("/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def change_rule(request, payload: RulePatch, rule_id: int = Id):
    row = get_object_or_404(BenefitRule, pk=rule_id)
    return _rule_out(services.rule_change(actor=request.user, rule=row, **_changes(payload)))


# --- Amounts ------------------------------------------------------------------------------------


class AmountOut(Schema):
    month: dt.date
    age: int | None
    amount: int | None = Field(..., description="VND; null when no rule applies (see missing)")
    coefficient: Decimal | None
    level: int | None
    rule_id: int | None
    parameter_id: int | None
    verified: bool = Field(..., description="Both the level and the coefficient were checked in the text")
    missing: str


class AmountQuery(Schema):
    born: Day
    month: Day = Field(..., description="Any day of the month; the facts are taken on its first day")
    ground: Ground
    care_situation: CareSituation = CareSituation.COMMUNITY
    studying: bool = False
    province_code: str | None = Field(default=None, max_length=2)


def amount_out(found: MonthAmount) -> dict:
    return {
        "month": found.month,
        "age": found.age,
        "amount": found.amount,
        "coefficient": found.rule.coefficient if found.rule else None,
        "level": found.base.value if found.base else None,
        "rule_id": found.rule.pk if found.rule else None,
        "parameter_id": found.base.pk if found.base else None,
        "verified": found.verified,
        "missing": found.missing,
    }


@router.get("/amount", response={200: AmountOut, 422: Error})
def amount(request, query: Query[AmountQuery]):
    """What the rules give for a month: the level on its first day × the coefficient for the age on
    that day. For a child with an allowance, its own page and statement say the same."""
    province = None
    if query.province_code:
        province = Area.objects.provinces().filter(code=query.province_code).first()
        if province is None:
            raise ValidationError(
                {"province_code": ValidationError(_("Choose a province from the list."), code="unknown")}
            )
    facts = Facts(
        born=query.born,
        ground=query.ground,
        care_situation=query.care_situation,
        studying=query.studying,
        province_id=province.pk if province else None,
    )
    return amount_out(RuleBook.load().amount(facts, month_of(query.month)))


# --- The procedure ------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    programme: Programme
    enrolment_id: uuid.UUID | None = Field(..., description="A pupil's support: the enrolment it is for")
    kind: Kind
    state: State
    commune_code: str
    applied_by: AppliedBy
    applicant_name: str
    received_on: dt.date | None
    ground: Ground
    care_situation: CareSituation
    studying: bool
    effective_month: dt.date | None = Field(..., description="The first month the decision pays or changes")
    why: str = Field(..., description="Why Haven proposed it, in the reader's language (empty otherwise)")
    reason: str
    moved_to_code: str | None
    pin_checked_at: dt.datetime | None
    decision_number: str
    decided_on: dt.date | None
    refusal_reasons: str
    dismissal_reason: str
    due_at: dt.datetime | None = Field(..., description="The open deadline of the procedure, if any")
    steps: list[str] = Field(..., description="The steps the caller may take now")


class ApplicationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ApplicationOut]


class ApplyIn(Schema):
    child_id: uuid.UUID
    received_on: Day
    ground: Ground
    care_situation: CareSituation = CareSituation.COMMUNITY
    studying: bool = False
    applied_by: AppliedBy = AppliedBy.CARER
    applicant_name: Line = Field(default="", max_length=150)


class TakeUpIn(Schema):
    received_on: Day
    applicant_name: Line = Field(default="", max_length=150)
    ground: Ground | None = None
    care_situation: CareSituation | None = None
    studying: bool | None = None


class DismissIn(Schema):
    reason: Prose = Field(..., max_length=2000)


class AllowanceDecideIn(Schema):
    decision_number: Line = Field(..., max_length=60)
    decided_on: Day


class RefuseIn(Schema):
    decided_on: Day
    reasons: Prose = Field(..., max_length=2000)


class ChangeIn(Schema):
    received_on: Day
    effective_month: Day = Field(..., description="Any day of the month the change takes effect from")
    reason: Prose = Field(..., max_length=2000)


class AdjustIn(ChangeIn):
    ground: Ground | None = None
    care_situation: CareSituation | None = None
    studying: bool | None = None


class AllowanceMoveIn(Schema):
    moved_to_code: str = Field(..., max_length=5, description="The official code of the commune moved to")
    moved_on: Day
    received_on: Day


def _application_out(user, found: Application) -> dict:
    due = Obligation.objects.filter(subject_id=found.pk, status=Clock.OPEN).order_by("due_at").first()
    return {
        **{
            f: getattr(found, f)
            for f in (
                "id",
                "child_id",
                "programme",
                "enrolment_id",
                "kind",
                "state",
                "applied_by",
                "applicant_name",
                "received_on",
                "ground",
                "care_situation",
                "studying",
                "effective_month",
                "reason",
                "pin_checked_at",
                "decision_number",
                "decided_on",
                "refusal_reasons",
                "dismissal_reason",
            )
        },
        "commune_code": found.commune.code,
        "moved_to_code": found.moved_to.code if found.moved_to_id else None,
        "why": proposals.why(found),
        "due_at": due.due_at if due else None,
        "steps": views.open_steps(user, found),
    }


def _load(user, application_id) -> Application:
    found = (
        selectors.applications(user)
        .select_related("moved_to", "commune__parent")
        .filter(pk=application_id)
        .first()
    )
    if found is None:
        raise NotVisible
    return found


def _detail(user, application_id) -> dict:
    found = _load(user, application_id)
    audit.record(actor=user, action="child.view", obj=found, data={"api": "allowance_application"})
    return _application_out(user, found)


_applications = Steps(load=_load, detail=_detail, subject_as="application")
APPLICATION_STEP = step_responses(ApplicationOut)


@router.get("/applications", response={200: ApplicationPage, 422: Error})
def list_applications(
    request,
    state: State | None = None,
    programme: Programme | None = None,
    page: int = Query(1, ge=1, le=100000),
):
    """The procedures of the caller's communes (a province's of its communes), 25 a page, oldest first:
    the monthly allowance's and a pupil's support; ``state`` filters (proposed: Haven's proposals
    waiting for the commune), ``programme`` too (learning_costs, tuition_support)."""
    rows = (
        selectors.applications(request.user)
        .select_related("moved_to", "enrolment__school__organisation")
        .order_by("created_at", "pk")
    )
    if state is not None:
        rows = rows.filter(state=state)
    if programme is not None:
        rows = rows.filter(programme=programme)
    found = Paginator(rows, 25).get_page(page)
    listed = list(found.object_list)
    audit.record(actor=request.user, action="child.list", data={"shown": [str(a.child_id) for a in listed]})
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_application_out(request.user, a) for a in listed],
    }


@router.post("/applications", response={201: ApplicationOut, **ERRORS})
def apply(request, payload: ApplyIn):
    """The carer's application recorded by the commune officer, or the facility's own. The chairman's
    10 working days start on ``received_on``. A child the caller does not see is 404."""
    data = payload.dict()
    child = Child.objects.visible_to(request.user).filter(pk=data.pop("child_id")).first()
    if child is None:
        raise NotVisible
    found = services.application_apply(actor=request.user, child=child, **data)
    return Status(201, _detail(request.user, found.pk))


@router.get("/applications/{application_id}", response={200: ApplicationOut, 404: Error})
def get_application(request, application_id: uuid.UUID):
    return _detail(request.user, application_id)


@router.post("/applications/{application_id}/take-up", response=APPLICATION_STEP)
def take_up(request, payload: TakeUpIn, application_id: uuid.UUID):
    """The officer takes up Haven's proposal: an application received on ``received_on``."""
    return _applications.take(request, application_id, services.application_take_up, **payload.dict())


@router.post("/applications/{application_id}/dismiss", response=APPLICATION_STEP)
def dismiss(request, payload: DismissIn, application_id: uuid.UUID):
    return _applications.take(request, application_id, services.application_dismiss, **payload.dict())


@router.post("/applications/{application_id}/verify", response=APPLICATION_STEP)
def verify(request, application_id: uuid.UUID):
    """Check the child against the national population database: 409 "register_unavailable",
    "not_in_register", "register_differs" or "no_pin" with nothing changed."""
    return _applications.take(request, application_id, services.application_verify)


@router.post("/applications/{application_id}/decide", response=APPLICATION_STEP)
def decide(request, payload: AllowanceDecideIn, application_id: uuid.UUID):
    """The chairman's decision: a decision dated before the application is 422 on ``decided_on``; a
    start not checked against the register is 409 "not_checked"; a month already paid elsewhere is
    409 "already_paid"."""
    return _applications.take(request, application_id, services.application_decide, **payload.dict())


@router.post("/applications/{application_id}/refuse", response=APPLICATION_STEP)
def refuse(request, payload: RefuseIn, application_id: uuid.UUID):
    return _applications.take(request, application_id, services.application_refuse, **payload.dict())


# --- A child's allowance ------------------------------------------------------------------------


class PeriodOut(Schema):
    id: uuid.UUID
    commune_code: str
    from_month: dt.date
    until_month: dt.date | None = Field(..., description="The first month no longer paid; null while it runs")
    ground: Ground
    care_situation: CareSituation
    studying: bool
    decision_id: uuid.UUID
    decision_number: str
    decided_on: dt.date | None


class MonthOut(AmountOut):
    period_id: uuid.UUID
    commune_code: str


class AllowanceOut(Schema):
    child_id: uuid.UUID
    periods: list[PeriodOut]
    months: list[MonthOut] = Field(..., description="Every month paid up to this one, newest first")
    next_change: AmountOut | None = Field(..., description="The next month the rules change the amount")
    open_application_id: uuid.UUID | None


def _allowance(user, child_id) -> dict:
    child = views._child(user, child_id)
    book = RuleBook.load()
    today = clock.today()
    found = list(selectors.periods(user).filter(child=child).order_by("-from_month"))
    current = next((p for p in found if p.until_month is None), None)
    pending = selectors.allowance_applications(user).filter(child=child, state__in=OPEN_STATES).first()
    audit.record(actor=user, action="child.view", obj=child, data={"api": "allowance"})
    upcoming = selectors.next_change(child, current, book, today)
    return {
        "child_id": child.pk,
        "periods": [
            {
                **{
                    f: getattr(p, f)
                    for f in ("id", "from_month", "until_month", "ground", "care_situation", "studying")
                },
                "commune_code": p.commune.code,
                "decision_id": p.decision_id,
                "decision_number": p.decision.decision_number,
                "decided_on": p.decision.decided_on,
            }
            for p in found
        ],
        "months": [
            {**amount_out(m.amount), "period_id": m.period.pk, "commune_code": m.period.commune.code}
            for m in selectors.months_of(child, found, book, until=month_of(today))
        ],
        "next_change": amount_out(upcoming) if upcoming else None,
        "open_application_id": pending.pk if pending else None,
    }


def _running_of(user, child_id) -> Entitlement:
    child = views._child(user, child_id)
    current = selectors.periods(user).filter(child=child, until_month=None).first()
    if current is None:
        raise Refused(_("No allowance is paid to this child."), code="not_paid")
    return current


_changes_of = Steps(load=_running_of, detail=_allowance, subject_as="entitlement")


@router.get("/children/{child_id}", response={200: AllowanceOut, 404: Error})
def allowance(request, child_id: uuid.UUID):
    """A child's allowance: the decided periods, every month with its amount and inputs, the next change."""
    return _allowance(request.user, child_id)


@router.post("/children/{child_id}/adjust", response=step_responses(AllowanceOut))
def adjust(request, payload: AdjustIn, child_id: uuid.UUID):
    """Prepare an adjustment for the chairman (ground, care situation or studies change)."""
    return _changes_of.take(
        request, child_id, services.entitlement_change, kind=Kind.ADJUST, **payload.dict()
    )


@router.post("/children/{child_id}/stop", response=step_responses(AllowanceOut))
def stop(request, payload: ChangeIn, child_id: uuid.UUID):
    """Prepare a stop for the chairman, from ``effective_month``."""
    return _changes_of.take(request, child_id, services.entitlement_change, kind=Kind.STOP, **payload.dict())


@router.post("/children/{child_id}/move", response=step_responses(AllowanceOut))
def move(request, payload: AllowanceMoveIn, child_id: uuid.UUID):
    """The child moved: a stop from the month after, continued by the new commune once decided."""
    data = payload.dict()
    code = data.pop("moved_to_code")
    commune = Area.objects.communes().filter(code=code).first()
    if commune is None:
        raise ValidationError(
            {"moved_to_code": ValidationError(_("Choose a commune from the list."), code="unknown")}
        )
    return _changes_of.take(request, child_id, services.entitlement_move, moved_to=commune, **data)


# --- The monthly payroll ------------------------------------------------------------------------


class LineOut(Schema):
    child_id: uuid.UUID
    month: dt.date = Field(..., description="The month paid for")
    kind: LineKind
    amount: int = Field(..., description="VND; negative for a recovery")
    decision_id: uuid.UUID
    decision_number: str
    rule_id: int | None
    parameter_id: int | None
    coefficient: Decimal | None
    level: int | None
    age: int | None
    verified: bool
    corrects_month: dt.date | None
    line_id: int = Field(..., description="The line's number on the provider's list and its return file")
    payment_method: Method | None = Field(..., description="How it is paid; null: not recorded yet")
    outcome: Outcome | None = Field(..., description="What the provider confirmed; null: not yet")


class PayrollOut(Schema):
    id: uuid.UUID
    commune_code: str
    month: dt.date
    state: PayrollState
    total: int
    list_due_on: dt.date = Field(..., description="The provider's list is due by the end of this day")
    sent_on: dt.date | None
    provider: str
    lines: list[LineOut]
    steps: list[str]


class PayrollIn(Schema):
    commune_code: str = Field(..., max_length=5)
    month: Day = Field(..., description="Any day of the month")


def _payroll_out(user, run: PayrollRun) -> dict:
    lines = list(
        run.lines.select_related("decision", "corrects", "payee", "confirmation").order_by(
            "child_id", "month"
        )
    )
    return {
        "id": run.pk,
        "commune_code": run.commune.code,
        "month": run.month,
        "state": run.state,
        "total": sum(line.amount for line in lines),
        "list_due_on": list_due(run.month),
        "sent_on": run.sent_on,
        "provider": run.provider,
        "lines": [
            {
                **{
                    f: getattr(line, f)
                    for f in ("child_id", "month", "kind", "amount", "decision_id", "rule_id", "parameter_id")
                },
                **{f: getattr(line, f) for f in ("coefficient", "level", "age", "verified")},
                "decision_number": line.decision.decision_number,
                "corrects_month": line.corrects.month if line.corrects_id else None,
                "line_id": line.pk,
                "payment_method": line.payee.method if line.payee_id else None,
                "outcome": line.confirmation.outcome if hasattr(line, "confirmation") else None,
            }
            for line in lines
        ],
        "steps": payroll_views.open_steps(user, run),
    }


def _payroll(user, run_id) -> PayrollRun:
    found = PayrollRun.objects.visible_to(user).select_related("commune__parent").filter(pk=run_id).first()
    if found is None:
        raise NotVisible
    return found


def _payroll_detail(user, run_id) -> dict:
    run = _payroll(user, run_id)
    audit.record(actor=user, action="child.list", data={"payroll": str(run.pk)})
    return _payroll_out(user, run)


_payrolls = Steps(load=_payroll, detail=_payroll_detail, subject_as="run")


@router.get("/payrolls", response={200: list[PayrollOut]})
def list_payrolls(request):
    """The payrolls of the caller's communes, newest month first (at most 24)."""
    runs = PayrollRun.objects.visible_to(request.user).select_related("commune").order_by("-month")[:24]
    audit.record(actor=request.user, action="child.list", data={"payrolls": [str(r.pk) for r in runs]})
    return [_payroll_out(request.user, r) for r in runs]


@router.post("/payrolls", response={200: PayrollOut, **ERRORS})
def prepare_payroll(request, payload: PayrollIn):
    """Prepare, or prepare again, a commune's payroll of a month: only what is missing is added (a
    retry never pays twice); a closed month is 409 "closed"."""
    commune = Area.objects.communes().filter(code=payload.commune_code).first()
    if commune is None:
        raise ValidationError(
            {"commune_code": ValidationError(_("Choose a commune from the list."), code="unknown")}
        )
    run = services.payroll_prepare(actor=request.user, commune=commune, month=payload.month)
    return _payroll_detail(request.user, run.pk)


@router.get("/payrolls/{run_id}", response={200: PayrollOut, 404: Error})
def get_payroll(request, run_id: uuid.UUID):
    return _payroll_detail(request.user, run_id)


@router.post("/payrolls/{run_id}/approve", response=step_responses(PayrollOut))
def approve_payroll(request, run_id: uuid.UUID):
    """The chairman approves: the month is closed and never changes."""
    return _payrolls.take(request, run_id, services.payroll_approve)


@router.get("/payrolls/{run_id}/provider.csv", response={200: str, 404: Error})
def provider_list(request, run_id: uuid.UUID):
    """The payment list for the provider, as CSV (UTF-8): one row per payment with its line number, who
    receives it and how (the account number in full), and four columns the provider fills in for its
    return. An audited export."""
    return payroll_views.provider_response(request.user, _payroll(request.user, run_id), "csv")


@router.get("/payrolls/{run_id}/provider.xlsx", response={200: str, 404: Error})
def provider_list_xlsx(request, run_id: uuid.UUID):
    """The same list as an Excel workbook."""
    return payroll_views.provider_response(request.user, _payroll(request.user, run_id), "xlsx")


class SendIn(Schema):
    sent_on: Day
    provider: Line = Field(..., max_length=150)


@router.post("/payrolls/{run_id}/send", response=step_responses(PayrollOut))
def send_payroll(request, payload: SendIn, run_id: uuid.UUID):
    """Record the approved list as sent to the provider (the clock of the 25th is met). A line
    without a payment method is 422 "no_payee", with nothing changed."""
    return _payrolls.take(request, run_id, services.payroll_send, **payload.dict())


class ReturnOut(Schema):
    id: uuid.UUID
    file_name: str
    rows: int = Field(..., description="Rows read, the header left out")
    recorded: int = Field(
        ..., description="Lines confirmed by this file (a row already recorded is not again)"
    )


RETURN_FILE = File(..., description="The provider's return: CSV (UTF-8) or XLSX, at most 5 MB")


@router.post("/payrolls/{run_id}/return", response={201: ReturnOut, **ERRORS})
def import_return(request, run_id: uuid.UUID, file: UploadedFile = RETURN_FILE):
    """Import the provider's return file (multipart/form-data). Every row is checked: a problem is 422
    on ``file``, one message per row with its number ("Row 7: there is no line 99 in this payroll"),
    and nothing is saved. A run not yet sent is 409."""
    run = _payroll(request.user, run_id)
    content = file.read(provider.MAX_BYTES + 1)
    done = services.provider_return_import(
        actor=request.user, run=run, file_name=file.name or "", content=content
    )
    return Status(
        201, {"id": done.pk, "file_name": done.file_name, "rows": done.rows, "recorded": done.recorded}
    )


class IssueOut(Schema):
    kind: str = Field(
        ...,
        description=(
            "not_on_payroll, nothing_due, no_payee, unconfirmed, failed, returned, amount_differs, not_due, "
            "to_recover"
        ),
    )
    title: str
    child_id: uuid.UUID
    month: dt.date
    amount: int | None
    line_id: int | None
    detail: str
    action: str = Field(..., description="What to do, in the reader's language")


class ReconciliationOut(Schema):
    run_id: uuid.UUID
    lines: int
    matched: int
    matched_amount: int
    issues: list[IssueOut]


@router.get("/payrolls/{run_id}/reconciliation", response={200: ReconciliationOut, 404: Error})
def reconciliation(request, run_id: uuid.UUID):
    """Decision ↔ payroll line ↔ provider confirmation: what matches, and the list of what does not,
    each with what to do."""
    run = _payroll(request.user, run_id)
    found = reconcile(run)
    audit.record(
        actor=request.user, action="child.list", data={"payroll": str(run.pk), "reconciliation": True}
    )
    return {
        "run_id": run.pk,
        "lines": found.lines,
        "matched": found.matched,
        "matched_amount": found.matched_amount,
        "issues": [
            {
                "kind": i.kind,
                "title": i.title,
                "child_id": i.child.pk,
                "month": i.month,
                "amount": i.amount,
                "line_id": i.line.pk if i.line is not None else None,
                "detail": i.detail,
                "action": i.action,
            }
            for i in found.issues
        ],
    }


# --- How a child is paid, the health-insurance card, the carer's statement -----------------------


class PaymentMethodIn(Schema):
    method: Method
    receiver_name: Line = Field(..., max_length=150)
    valid_from: Day
    institution: Line = Field(default="", max_length=150)
    account_number: Line = Field(default="", max_length=30)
    address: Line = Field(default="", max_length=300)
    reason: Line = Field(default="", max_length=300)


class PaymentMethodOut(Schema):
    id: uuid.UUID
    method: Method
    receiver_name: str
    institution: str
    account_masked: str = Field(
        ..., description="The last four digits; the full number goes only to the provider's list"
    )
    valid_from: dt.date
    valid_to: dt.date | None


def _payee_out(p) -> dict:
    return {
        f: getattr(p, f)
        for f in ("id", "method", "receiver_name", "institution", "account_masked", "valid_from", "valid_to")
    }


@router.get("/children/{child_id}/payment-methods", response={200: list[PaymentMethodOut], 404: Error})
def payment_methods(request, child_id: uuid.UUID):
    """How the child's allowance is paid, newest first (the account numbers masked)."""
    child = views._child(request.user, child_id)
    audit.record(actor=request.user, action="child.view", obj=child, data={"api": "payment_methods"})
    return [_payee_out(p) for p in PaymentMethod.objects.filter(child=child).order_by("-valid_from")]


@router.post("/children/{child_id}/payment-methods", response={201: PaymentMethodOut, **ERRORS})
def set_payment_method(request, payload: PaymentMethodIn, child_id: uuid.UUID):
    """The commune that pays records how: a bank account (bank and 6 to 20 digits), a post office, or
    cash at home (an address and why). It applies from ``valid_from``; the one it replaces ends then."""
    child = views._child(request.user, child_id)
    return Status(
        201, _payee_out(services.payment_method_set(actor=request.user, child=child, **payload.dict()))
    )


class CardIn(Schema):
    number: Line = Field(..., max_length=20)
    basis: CardBasis
    valid_from: Day
    expires_on: Day | None = Field(
        default=None,
        description="As printed on the card; for a child under 6 leave it out: the rule gives it",
    )


class CardOut(Schema):
    id: uuid.UUID
    number: str
    basis: CardBasis
    valid_from: dt.date
    expires_on: dt.date = Field(..., description="The last day the card is valid, included")


def _card_out(card) -> dict:
    return {f: getattr(card, f) for f in ("id", "number", "basis", "valid_from", "expires_on")}


@router.get("/children/{child_id}/health-cards", response={200: list[CardOut], 404: Error})
def health_cards(request, child_id: uuid.UUID):
    child = views._child(request.user, child_id)
    audit.record(actor=request.user, action="child.view", obj=child, data={"api": "health_cards"})
    return [_card_out(c) for c in HealthInsuranceCard.objects.filter(child=child).order_by("-valid_from")]


@router.post("/children/{child_id}/health-cards", response={201: CardOut, **ERRORS})
def record_health_card(request, payload: CardIn, child_id: uuid.UUID):
    """Record a card. A card for a child under 6 runs to the date the rule gives: an ``expires_on``
    that differs is 422 "computed"."""
    child = views._child(request.user, child_id)
    return Status(
        201, _card_out(services.health_card_record(actor=request.user, child=child, **payload.dict()))
    )


class ChildRef(Schema):
    child_id: uuid.UUID
    commune_code: str
    last_card_until: dt.date | None


@router.get("/health-insurance/without-card", response={200: list[ChildRef]})
def without_card(request):
    """The children Haven follows that the caller sees with no card valid today (at most 500)."""
    rows = list(selectors.without_valid_card(request.user)[:500])
    audit.record(
        actor=request.user,
        action="child.list",
        data={"shown": [str(c.pk) for c in rows], "api": "without_card"},
    )
    return [
        {"child_id": c.pk, "commune_code": c.current_commune.code, "last_card_until": c.last_card_until}
        for c in rows
    ]


class StatementLineOut(Schema):
    month: dt.date
    kind: LineKind
    amount: int
    level: int | None
    coefficient: Decimal | None
    age: int | None
    verified: bool
    outcome: Outcome | None


class StatementOut(Schema):
    child_id: uuid.UUID
    lines: list[StatementLineOut] = Field(..., description="Every month put on a payroll, newest first")
    confirmed_paid: int
    next_change: str = Field(..., description="“From 06/2027, 750,000 đồng a month: the child turns 4.”")
    next_change_month: dt.date | None
    next_change_amount: int | None


@router.get("/children/{child_id}/statement", response={200: StatementOut, 404: Error})
def allowance_statement(request, child_id: uuid.UUID):
    """The carer's statement: months paid, amounts, the rule, what the provider confirmed, the next change."""
    child = views._child(request.user, child_id)
    made = statement_of(request.user, child)
    audit.record(actor=request.user, action="child.view", obj=child, data={"api": "allowance_statement"})
    return {
        "child_id": child.pk,
        "lines": [
            {
                **{
                    f: getattr(line, f)
                    for f in ("month", "kind", "amount", "level", "coefficient", "age", "verified")
                },
                "outcome": line.confirmation.outcome if hasattr(line, "confirmation") else None,
            }
            for line in made.lines
        ],
        "confirmed_paid": made.paid_total,
        "next_change": made.next_sentence,
        "next_change_month": made.next.month if made.next else None,
        "next_change_amount": made.next.amount if made.next else None,
    }
