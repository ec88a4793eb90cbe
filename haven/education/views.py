"""Thin views of school for every child: parse, check access, call one service or selector, render.
A school sees its pupils and the children it is asked to enrol, only their school facts; a commune its
school-age roster; a facility the children it cares for."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can, child_filter
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused, add_to_form
from haven.deadlines.models import Obligation, Status
from haven.deadlines.selectors import tasks_for
from haven.education import ages, clocks, forms, roster, selectors, services, sheets
from haven.education.models import AbsenceAlert, Enrolment, Mark, SchoolMove, State
from haven.education.services.attendance import Line, LinesRefused
from haven.education.services.schools import may_register_in
from haven.education.workflow import CARERS, FLOW, SCHOOL
from haven.entitlements.selectors import pupil_support
from haven.entitlements.views_common import saved
from haven.people.models import Child
from haven.workflow.views import StepPage, step_page, title_of

V = Verb.EDUCATION_VIEW
SUBJECTS = tuple(m._meta.label_lower for m in (Enrolment, SchoolMove, AbsenceAlert))


def _roles(user) -> set[str]:
    from haven.access.scoping import granting

    return {m.role for m in granting(user, Verb.EDUCATION_RECORD)}


@markers.requires(V)
@require_GET
def index(request):
    """A school's pupils and requests; a commune's or province's school-age roster by commune; a
    facility's children and their schools; and the user's steps with a deadline."""
    user, today = request.user, clock.today()
    year = ages.school_year_of(today)
    schools = selectors.own_schools(user)
    for school in schools:
        school.requests = list(
            selectors.enrolments(user).filter(school=school, state=State.REQUESTED).order_by("created_at")
        )
        dues = {
            o.subject_id: o
            for o in Obligation.objects.filter(
                subject_id__in=[e.pk for e in school.requests], status=Status.OPEN
            )
        }
        for e in school.requests:
            e.due = dues.get(e.pk)
        school.count = selectors.pupils(user, school, year).filter(state=State.ENROLLED).count()
    communes = selectors.communes_for(user)
    profiles, dimensions = [], []
    if communes:
        q = child_filter(user, V)
        # With the risk scores: dimensions 4 and 5 (in school, at risk of dropping out) need them.
        rows = roster.compute(Child.objects.filter(q).filter(current_commune__in=communes), today)
        counts = roster.profile(rows)
        profiles = [(c, counts.get(c.pk) or roster.empty_profile()) for c in communes]
        totals = roster.empty_profile()
        for _commune, c in profiles:
            for key, n in c.items():
                totals[key] += n
        dimensions = [(d.value, roster.DIMENSION_LABELS[d], totals[d.value]) for d in roster.Dimension]
    cared = []
    if not communes and not schools:
        q = child_filter(user, V)
        cared = roster.compute(Child.objects.filter(q), today, with_risk=False) if q is not None else []
        record(
            actor=user,
            action="child.list",
            data={"page": "school", "shown": [str(r.child_id) for r in cared][:500]},
        )
    return render(
        request,
        "education/index.html",
        {
            "year": year,
            "schools": schools,
            "profiles": profiles,
            "dimensions": dimensions,
            "cared": cared,
            "tasks": tasks_for(user=user, subjects=SUBJECTS),
            "may_register": can(user, Verb.EDUCATION_SCHOOLS),
        },
    )


@markers.requires(V)
@require_GET
def commune_roster(request, code: str):
    commune = Area.objects.communes().filter(code=code).first()
    if commune is None or commune not in selectors.communes_for(request.user):
        raise NotVisible
    rows = selectors.roster_of(request.user, commune)
    status = request.GET.get("status", "")
    shown = [
        r
        for r in rows
        if not status or r.status.value == status or (status == "out" and r.status.out_of_school)
    ]
    return render(
        request,
        "education/roster.html",
        {
            "commune": commune,
            "rows": shown[:500],
            "total": len(shown),
            "counts": roster.profile(rows).get(commune.pk) or roster.empty_profile(),
            "statuses": list(roster.Status),
            "status": status,
            "year": ages.school_year_of(clock.today()),
        },
    )


# --- A child's school facts -----------------------------------------------------------------------


@markers.requires(V)
@require_GET
def child(request, child_id):
    found = selectors.child_for(request.user, child_id)
    facts = selectors.school_facts(request.user, found)
    roles = _roles(request.user)
    school_only = bool(roles) and roles <= SCHOOL and not can(request.user, Verb.CHILD_VIEW)
    return render(
        request,
        "education/child.html",
        {
            "facts": facts,
            "child": found,
            "school_only": school_only,
            "support": pupil_support(
                request.user, found, facts.current, clock.today(), school_only=school_only
            ),
            "may_enrol": bool(roles & CARERS),
            "may_visit": "commune_officer" in roles,
            "attendance": selectors.attendance_of(facts.current)
            if facts.current and facts.current.state == State.ENROLLED
            else [],
        },
    )


def _enrol_page(request, child_id, *, record_it: bool):
    found = selectors.child_for(request.user, child_id)
    form_class = forms.RecordForm if record_it else forms.RequestForm
    data = request.POST if request.method == "POST" else None
    form = form_class(data, schools=selectors.schools_for_child(found))

    def act(d):
        common = {
            "actor": request.user,
            "child": found,
            "school": d["school"],
            "school_year": d["school_year"],
            "level": d["level"],
            "grade": d["grade"],
        }
        if record_it:
            return services.enrolment_record(
                **common,
                started_on=d["started_on"],
                class_name=d["class_name"],
                age_basis=d["age_basis"],
                age_decided_by=d["age_decided_by"],
                age_decision=d["age_decision"],
            )
        return services.enrolment_request(**common, note=d["note"])

    if request.method == "POST" and saved(form, act):
        messages.success(
            request,
            _("Recorded.")
            if record_it
            else _("The school is asked to enrol the child: it answers within 5 working days."),
        )
        return redirect("education:child", found.pk)
    return render(
        request,
        "education/form.html",
        {
            "title": _("Record an enrolment") if record_it else _("Ask a school to enrol the child"),
            "subject": found,
            "form": form,
            "back": reverse("education:child", args=[found.pk]),
            "hint": _(
                "Papers are not a condition: a child without a birth certificate or a PIN is enrolled, and "
                "the commune obtains the papers."
            ),
        },
    )


@markers.requires(Verb.EDUCATION_RECORD)
@require_http_methods(["GET", "POST"])
def child_request(request, child_id):
    return _enrol_page(request, child_id, record_it=False)


@markers.requires(Verb.EDUCATION_RECORD)
@require_http_methods(["GET", "POST"])
def child_record(request, child_id):
    return _enrol_page(request, child_id, record_it=True)


@markers.requires(Verb.EDUCATION_RECORD)
@require_http_methods(["GET", "POST"])
def visit(request, alert_id):
    alert = AbsenceAlert.objects.visible_to(request.user, V).filter(pk=alert_id).first()
    if alert is None:
        raise NotVisible
    form = forms.VisitForm(request.POST if request.method == "POST" else None)
    act = lambda d: services.absence_visit(actor=request.user, alert=alert, **d)  # noqa: E731
    if request.method == "POST" and saved(form, act):
        messages.success(request, _("The home visit is recorded."))
        return redirect("education:child", alert.child_id)
    return render(
        request,
        "education/form.html",
        {
            "title": _("Record the home visit"),
            "subject": alert.child,
            "form": form,
            "back": reverse("education:child", args=[alert.child_id]),
            "hint": _("Absent without leave for %(days)s consecutive school days from %(first)s.")
            % {"days": alert.days, "first": alert.first_day.strftime("%d/%m/%Y")},
        },
    )


# --- An enrolment and its steps -------------------------------------------------------------------


STEPS: dict[str, StepPage] = {
    "admit": StepPage(forms.AdmitForm, lambda a, e, d: services.enrolment_admit(actor=a, enrolment=e, **d)),
    "decline": StepPage(
        forms.DeclineForm, lambda a, e, d: services.enrolment_decline(actor=a, enrolment=e, **d)
    ),
    "leave": StepPage(forms.LeaveForm, lambda a, e, d: services.enrolment_leave(actor=a, enrolment=e, **d)),
}


def open_steps(user, enrolment: Enrolment) -> list[str]:
    found = []
    for action in STEPS:
        if State(enrolment.state) not in FLOW.transitions[action].sources:
            continue
        try:
            FLOW.acting(user, enrolment, action)
        except (Refused, Http404):
            continue
        found.append(action)
    return found


@markers.requires(V)
@require_GET
def enrolment(request, enrolment_id):
    found = selectors.enrolment_for(request.user, enrolment_id)
    record(actor=request.user, action="child.view", obj=found, data={"page": "enrolment"})
    return render(
        request,
        "education/enrolment.html",
        {
            "enrolment": found,
            "steps": [
                (s, reverse("education:step", args=[found.pk, s]), title_of(FLOW, s, STEPS[s]))
                for s in open_steps(request.user, found)
            ],
            "attendance": selectors.attendance_of(found)
            if found.state in (State.ENROLLED, State.ENDED)
            else [],
            "timeline": [
                (s, FLOW.transitions[s.action].title if s.action in FLOW.transitions else s.action)
                for s in found.steps.select_related("actor", "organisation")
            ],
            "dues": list(
                Obligation.objects.filter(subject_id=found.pk, status=Status.OPEN)
                .select_related("responsible")
                .order_by("due_at")
            ),
            # The papers are obtained on the child's record (a found child's birth registration, the
            # PIN), for whoever may open it; a school may not.
            "record": reverse("people:detail", args=[found.child_id])
            if Child.objects.visible_to(request.user).filter(pk=found.child_id).exists()
            else "",
            "papers": clocks.PAPERS,
            "may_plan": found.state == State.ENROLLED,
        },
    )


@markers.requires(Verb.EDUCATION_RECORD)
@require_http_methods(["GET", "POST"])
def step(request, enrolment_id, step: str):
    if step not in STEPS:
        raise NotVisible
    found = selectors.enrolment_for(request.user, enrolment_id)
    back = reverse("education:enrolment", args=[found.pk])
    return step_page(
        request,
        flow=FLOW,
        subject=found,
        step=step,
        page=STEPS[step],
        back=back,
        open_steps=open_steps(request.user, found),
        context={"subject_label": f"{found.child} — {found}", "subject_link": True},
    )


@markers.requires(Verb.EDUCATION_RECORD)
@require_http_methods(["GET", "POST"])
def plan(request, enrolment_id):
    found = selectors.enrolment_for(request.user, enrolment_id)
    form = forms.PlanForm(request.POST if request.method == "POST" else None)
    act = lambda d: services.inclusion_plan_record(actor=request.user, enrolment=found, **d)  # noqa: E731
    if request.method == "POST" and saved(form, act):
        messages.success(request, _("The inclusion plan is recorded; its review is on the school's steps."))
        return redirect("education:enrolment", found.pk)
    return render(
        request,
        "education/form.html",
        {
            "title": _("Inclusion plan"),
            "subject": found.child,
            "form": form,
            "back": reverse("education:enrolment", args=[found.pk]),
            "hint": _(
                "Inclusive education is the main form; the parent or guardian chooses (Law on Persons with "
                "Disabilities 2010 art. 27–28)."
            ),
        },
    )


# --- A school: its pupils and their attendance ------------------------------------------------------


def _alerts_said(request, alerts) -> None:
    for alert in alerts:
        messages.warning(
            request,
            _("%(child)s: %(days)s consecutive days absent without leave — the commune is asked to visit.")
            % {"child": alert.child, "days": alert.days},
        )


@markers.requires(V)
@require_http_methods(["GET", "POST"])
def school(request, school_id: int):
    found = selectors.school_for(request.user, school_id)
    today = clock.today()
    year = ages.school_year_of(today)
    pupils = list(selectors.pupils(request.user, found, year))
    enrolled = [e for e in pupils if e.state == State.ENROLLED]
    day_form = forms.DayForm(request.GET or None, initial={"day": today})
    day = day_form.cleaned_data["day"] if day_form.is_valid() else today
    upload = forms.UploadForm()
    problems: list[str] = []
    if request.method == "POST":
        posted = forms.DayForm(request.POST)
        marked_day = posted.cleaned_data["day"] if posted.is_valid() else None
        # One line per pupil marked, numbered by the pupil's place on the page.
        marks = [
            Line(
                number=i + 1,
                enrolment_id=str(e.pk),
                day=marked_day,
                mark=request.POST.get(f"mark-{e.pk}", ""),
            )
            for i, e in enumerate(enrolled)
            if request.POST.get(f"mark-{e.pk}")
        ]
        if not marks:
            problems = [_("Choose a mark for at least one pupil.")]
        else:
            try:
                outcome = services.attendance_record(actor=request.user, school=found, lines=marks)
            except LinesRefused as error:
                # On the page a line is a pupil: the problem is told by the pupil's name.
                problems = [
                    _("%(child)s: %(problem)s") % {"child": enrolled[n - 1].child, "problem": " ".join(p)}
                    for n, p in sorted(error.lines.items())
                ]
            except ValidationError as error:
                problems = [str(m) for ms in error.message_dict.values() for m in ms]
            else:
                messages.success(request, _("%(n)s marks saved.") % {"n": outcome.saved})
                _alerts_said(request, outcome.alerts)
                return redirect(f"{reverse('education:school', args=[found.pk])}?day={marked_day:%d/%m/%Y}")
    marked = dict(
        (str(a), m)
        for a, m in selectors.enrolments(request.user)
        .filter(pk__in=[e.pk for e in enrolled], attendance__day=day)
        .values_list("pk", "attendance__mark")
    )
    if problems:
        # Nothing was saved: the marks chosen stay on the page, to correct and send again.
        marked = {str(e.pk): request.POST.get(f"mark-{e.pk}", "") for e in enrolled}
    for e in enrolled:
        e.mark_today = marked.get(str(e.pk), "")
        e.contact = selectors.contact_flag(e.child)
    record(
        actor=request.user,
        action="child.list",
        data={
            "page": "school pupils",
            "school": found.code,
            "shown": [str(e.child_id) for e in pupils][:500],
        },
    )
    return render(
        request,
        "education/school.html",
        {
            "school": found,
            "year": year,
            "pupils": pupils,
            "enrolled": enrolled,
            "day": day,
            "day_form": day_form,
            "upload": upload,
            "marks": Mark.choices,
            "problems": problems,
        },
    )


@markers.requires(Verb.EDUCATION_RECORD)
@require_http_methods(["POST"])
def school_upload(request, school_id: int):
    found = selectors.school_for(request.user, school_id)
    form = forms.UploadForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lines = sheets.read(upload.read(sheets.MAX_BYTES + 1), upload.name)
            outcome = services.attendance_record(
                actor=request.user, school=found, lines=lines, partial=form.cleaned_data["partial"]
            )
        except LinesRefused as error:
            problems = [str(m) for ms in error.message_dict.values() for m in ms]
            problems.insert(0, _("Nothing was saved."))
        except ValidationError as error:
            add_to_form(form, error)
        except NotVisible:
            raise
        else:
            messages.success(request, _("%(n)s marks saved.") % {"n": outcome.saved})
            for n, found_problems in sorted(outcome.problems.items()):
                messages.warning(
                    request,
                    _("Line %(line)s not saved: %(problem)s")
                    % {"line": n, "problem": " ".join(found_problems)},
                )
            _alerts_said(request, outcome.alerts)
            return redirect("education:school", found.pk)
    return render(
        request,
        "education/upload.html",
        {"school": found, "upload": form, "problems": problems},
        status=200,
    )


@markers.requires(V)
@require_GET
def class_list(request, school_id: int):
    """The school's pupils as a CSV to fill in: enrolment number, name, date, mark."""
    found = selectors.school_for(request.user, school_id)
    year = ages.school_year_of(clock.today())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Enrolment number"), _("Name"), _("Class"), _("Date"), _("Mark")])
    pupils = list(selectors.pupils(request.user, found, year).filter(state=State.ENROLLED))
    for e in pupils:
        name = str(e.child)
        writer.writerow(
            [
                str(e.pk),
                ("'" + name) if name[:1] in "=+-@" else name,
                e.class_name,
                clock.today().strftime("%d/%m/%Y"),
                "",
            ]
        )
    record(
        actor=request.user,
        action="child.export",
        data={
            "page": "class list",
            "school": found.code,
            "children": [str(e.child_id) for e in pupils][:500],
        },
    )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lop-{found.code}.csv"'
    return response


# --- The list of schools --------------------------------------------------------------------------


@markers.requires(Verb.EDUCATION_SCHOOLS)
@require_http_methods(["GET", "POST"])
def school_new(request):
    communes = selectors.communes_for(request.user)
    communes = [c for c in communes if may_register_in(request.user, c)]
    form = forms.SchoolForm(request.POST if request.method == "POST" else None, communes=communes)
    act = lambda d: services.school_register(actor=request.user, **d)  # noqa: E731
    if request.method == "POST" and saved(form, act):
        messages.success(request, _("The school is registered."))
        return redirect("education:index")
    return render(
        request,
        "education/form.html",
        {
            "title": _("Register a school"),
            "subject": "",
            "form": form,
            "back": reverse("education:index"),
            "hint": "",
        },
    )
