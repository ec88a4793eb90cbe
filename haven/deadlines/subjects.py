"""The page an obligation leads to: the child's record, or, for a subject that is not a child, its own
page. Task lists and escalation notices link through here."""

from __future__ import annotations

# Subjects read on their own page rather than the child's record.
PAGES = {
    "prevention.atriskperson": "/prevention/{id}/",
}


def subject_page(subject_type: str, subject_id, child_id) -> str:
    if subject_type in PAGES:
        return PAGES[subject_type].format(id=subject_id)
    return f"/children/{child_id}/"
