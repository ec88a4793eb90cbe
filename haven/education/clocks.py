"""The clocks of school for every child on the one deadline engine (haven/deadlines/rules.py),
registered when the app starts (apps.py). No text sets most of these periods: they are Haven's
recommended service levels, said so on every page that shows them, and a province may shorten them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import ON, WD, R, Rule

PAPERS = "education.papers"
ANSWER = "education.answer_request"
ENROL_AFTER_MOVE = "education.enrol_after_move"
HOME_VISIT = "education.home_visit"
PLAN_REVIEW = "education.plan_review"

RULES = (
    Rule(
        PAPERS,
        _("Obtain the birth registration and personal identification number of a child at school"),
        20,
        WD,
        _(
            "Circular 42/2021/TT-BGDĐT art. 10: the learner's identifier in the education database is the "
            "personal identification number; a child is enrolled without it and the commune obtains it "
            "within 20 working days (recommended: no text sets a period for a late registration)"
        ),
        R,
    ),
    Rule(
        ANSWER,
        _("Answer a request to enrol a child"),
        5,
        WD,
        _(
            "Notice 432-TB/VPTW, part 4.1(ii): every child attends school without discrimination; the school "
            "admits the child, or says why not, within 5 working days (recommended)"
        ),
        R,
    ),
    Rule(
        ENROL_AFTER_MOVE,
        _("Enrol a child who moved commune in a school there"),
        10,
        WD,
        _(
            "Notice 432-TB/VPTW, part 4.1(ii); Decree 20/2021/NĐ-CP art. 22(3)(a): whoever cares for the "
            "child enables them to go to school; a child whose placement moved is enrolled within 10 working "
            "days of the move (recommended)"
        ),
        R,
    ),
    Rule(
        HOME_VISIT,
        _("Visit the home of a child absent from school"),
        5,
        WD,
        _(
            "Decree 56/2017/NĐ-CP (support level); no national rule sets an absence threshold: after the "
            "consecutive absences without leave that Haven's dated rule names, the commune visits the "
            "child's home within 5 working days (recommended)"
        ),
        R,
        top=2,
    ),
    Rule(
        PLAN_REVIEW,
        _("Review the individual education plan of a child with a disability"),
        0,
        ON,
        _(
            "Circular 03/2018/TT-BGDĐT on inclusive education: the individual education plan is reviewed on "
            "the date the school set when it was made; no text read sets how often (recommended)"
        ),
        R,
        overridable=False,
        top=2,
    ),
)


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("education", RULES)
    # A school answers on its own pages; the commune and the carer act from the child's school page. A
    # school, which reads no child's record, sees the steps of its enrolments and plans on its list.
    subjects.register("education.enrolment", reader=Verb.EDUCATION_VIEW, page="/education/enrolments/{id}/")
    subjects.register("education.schoolmove", page="/education/children/{child}/")
    subjects.register("education.absencealert", page="/education/absences/{id}/visit/")
    subjects.register(
        "education.inclusionplan", reader=Verb.EDUCATION_VIEW, page="/education/children/{child}/"
    )
