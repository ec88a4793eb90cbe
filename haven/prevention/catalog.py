"""The checklists of the prevention work as data: the risk factors a collaborator ticks when she flags
someone, and the needs assessed after consent (vietnam-process.md §9c; Notice 432-TB/VPTW §1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Notice 432 §1 names the high-risk groups: unwanted pregnancy, single mothers, broken families,
# migrant workers in crisis. The rest are the usual warning signs of abandonment risk.
RISK_FACTORS = (
    ("unintended_pregnancy", _("Unintended or unwanted pregnancy")),
    ("single_mother", _("Single mother, no support from the father")),
    ("broken_family", _("Broken family or family conflict")),
    ("migrant_in_crisis", _("Migrant worker in crisis")),
    ("adolescent", _("Adolescent mother (under 18)")),
    ("poverty", _("Poor or near-poor household")),
    ("no_housing", _("No stable housing")),
    ("no_antenatal_care", _("No antenatal care so far")),
    ("violence", _("Violence at home")),
    ("substance_use", _("Alcohol or drug use")),
    ("mental_health", _("Mental-health difficulty")),
    ("disability_or_illness", _("Disability or serious illness (mother or baby)")),
    ("previous_abandonment", _("Has abandoned or given away a child before")),
    ("says_cannot_keep", _("Says she cannot keep the baby")),
)
RISK_CODES = frozenset(code for code, _label in RISK_FACTORS)

# §9c ASSESSED: psychological, legal, reproductive health, economic, housing, violence.
NEEDS = (
    ("psychological", _("Psychological")),
    ("legal", _("Legal (papers, paternity, residence)")),
    ("reproductive_health", _("Reproductive health")),
    ("economic", _("Economic")),
    ("housing", _("Housing")),
    ("violence", _("Safety from violence")),
)
NEED_LEVELS = (
    ("none", _("No need")),
    ("some", _("Some need")),
    ("urgent", _("Urgent need")),
)
NEED_CODES = frozenset(code for code, _label in NEEDS)
LEVEL_CODES = frozenset(code for code, _label in NEED_LEVELS)
