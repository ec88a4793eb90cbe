"""The assessment forms of Decree 56/2017 (Forms 02, 03, 04 and 06) as data, versioned.

A form is a list of fields; a "level" field is scored High/Medium/Low and carried from the previous
assessment of the same form, so the page can show progress (as OSCaR's assessment domains do).
Changing a form means adding a version: assessments keep the version they were recorded with.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LEVELS = (("high", _("High")), ("medium", _("Medium")), ("low", _("Low")))


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    kind: str  # "level", "text", "bool", "date"
    required: bool = True
    # Most levels score a risk (Low is good); a capacity such as resilience scores the other way.
    higher_is_better: bool = False


@dataclass(frozen=True)
class FormSpec:
    code: str
    version: int
    title: str | Promise
    legal_basis: str | Promise  # shown on the form's page and print, in the reader's language
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def levels(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "level"]


FORMS: dict[str, FormSpec] = {
    spec.code: spec
    for spec in (
        FormSpec(
            "02",
            1,
            _("Initial assessment (Form 02)"),
            _("Decree 56/2017 art. 26(1)–(2), Form 02"),
            (
                Field("harm", _("Harm the child is suffering now"), "level"),
                Field("danger", _("Risk to the child's life, health or dignity"), "level"),
                Field("abuser_access", _("The abuser's access to the child"), "level"),
                Field("verification", _("What was verified, with whom (police, school, family)"), "text"),
                Field("unfounded", _("The report is unfounded: no harm and no risk"), "bool", required=False),
                Field(
                    "emergency", _("Emergency measures are needed within 12 hours"), "bool", required=False
                ),
            ),
        ),
        FormSpec(
            "03",
            1,
            _("Specific assessment (Form 03)"),
            _("Decree 56/2017 art. 27; art. 28(2)(b), Form 03"),
            (
                Field("physical", _("Physical health"), "level"),
                Field("psychological", _("Psychological and emotional state"), "level"),
                Field("family", _("Family and care environment"), "level"),
                Field("education", _("School and learning"), "level"),
                Field("needs", _("Support needs identified"), "text"),
                Field("meeting", _("Minutes of the needs meeting: participants and conclusions"), "text"),
            ),
        ),
        FormSpec(
            "04",
            1,
            _("Support and intervention plan (Form 04)"),
            _("Decree 56/2017 art. 28(1), Form 04"),
            (
                Field("objectives", _("Objectives"), "text"),
                Field("measures", _("Measures: what, by whom, by when (one per line)"), "text"),
                Field("start", _("Start"), "date"),
                Field("end", _("End"), "date"),
            ),
        ),
        FormSpec(
            "06",
            1,
            _("Review (Form 06)"),
            _("Decree 56/2017 art. 30(1), Form 06"),
            (
                Field("harm", _("Remaining harm"), "level"),
                Field("abuser_access", _("The abuser's access to the child"), "level"),
                Field("obstacles", _("Obstacles to the child's safety in the care environment"), "level"),
                Field(
                    "resilience",
                    _("The child's ability to protect themself and recover"),
                    "level",
                    higher_is_better=True,
                ),
                Field("summary", _("Summary of the review"), "text"),
            ),
        ),
    )
}
