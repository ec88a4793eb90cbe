"""An audit event's action as a reader says it ("Opened the record", "Handover accepted"), never its
code (``child.view``, ``foundling.accept_handover``): the access log of a child shows every event."""

from __future__ import annotations

import html

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

# Events that are not a step of a workflow table.
LABELS = {
    "child.view": _("Opened the record"),
    "child.create": _("Created the record"),
    "child.update": _("Changed the record"),
    "child.pin_reveal": _("Showed the PIN"),
    "access.denied": _("Was refused: out of their reach, or no such record"),
    "child.pin_conflict": _("Entered this child's PIN on another record (refused)"),
    "child.access_log_view": _("Read the access log"),
    "child.circumstance_add": _("Added a group"),
    "child.circumstance_end": _("Ended a group"),
    "child.sibling_link": _("Linked a sibling"),
    "child.opinion_record": _("Recorded the child's view"),
    "child.export": _("Exported the record"),
    "child.search": _("Searched"),
    "child.photo_view": _("Viewed the photo"),
    "child.photo_reencode": _("Photo stored again without the sender's file name or metadata"),
    "child.pin_from_register": _("Personal identification number taken from the population register"),
    "child.pin_removed_with_link": _("Personal identification number removed with the link undone"),
    "population.pin_received": _("Personal identification number received"),
    "population.pin_conflict": _("The population register answered with another child's number"),
    "population.pin_refused": _("The population register refused the request"),
    "linkage.decide": _("Possible match decided"),
    "linkage.undo": _("Link undone"),
    "linkage.pair_view": _("Possible match opened"),
    "foundling.duplicate_decide": _("Possible second report decided"),
    "protection.informant_view": _("Read who reported the child"),
    "protection.known_child_decide": _("Checked against a child already recorded"),
    "care.family_suggestions": _("Families suggested for the child"),
    "care.incident_report": _("Incident reported"),
    "obligation.escalate": _("Overdue step escalated"),
    "backup.create": _("Backed up the whole database"),
    "backup.restore": _("Restored the database from a backup"),
    "entitlement.payee_set": _("Recorded how the allowance is paid"),
    "entitlement.health_card": _("Recorded a health-insurance card"),
}

# The case timelines' own names for their steps ("Handover accepted", in the past tense).
TIMELINE_LABELS = {"foundling": "foundlings/_action.html", "protection": "protection/_action.html"}


def action_label(code: str) -> str:
    """The label of an audit action: its own, the case timeline's, or the title of its workflow step;
    the code itself only for an action nobody named (which the page test reports)."""
    if code in LABELS:
        return str(LABELS[code])
    prefix, _dot, step = code.partition(".")
    if prefix in TIMELINE_LABELS:
        said = html.unescape(render_to_string(TIMELINE_LABELS[prefix], {"action": step})).strip()
        if said != step:
            return said
    from haven.workflow.engine import Workflow

    for flow in Workflow.registry.values():
        row = flow.transitions.get(step) if flow.audit_prefix == prefix else None
        if row is not None and row.title:
            return str(row.title)
    return code
