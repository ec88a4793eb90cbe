"""Obligations whose subject is not a child (a person followed by the prevention work): the verb that
lets a user see them, and the page a task or a notice links to. Every other obligation is seen through
its child and links to the child's record."""

from __future__ import annotations

from haven.access.policy import Verb

# subject type -> (the verb that lets a user see it, its page)
SUBJECTS = {
    "prevention.atriskperson": (Verb.PREVENTION_VIEW, "/prevention/{id}/"),
    # The quarterly update of a commune's register of alternative-care families (haven/care).
    "care.registerupdate": (Verb.CARE_MANAGE, "/care/families/"),
}


def subject_page(subject_type: str, subject_id, child_id) -> str:
    if subject_type in SUBJECTS:
        return SUBJECTS[subject_type][1].format(id=subject_id)
    return f"/children/{child_id}/"
