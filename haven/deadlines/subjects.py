"""What the engine needs to know about the subject of an obligation, told by the app that owns it
(registered in its ``AppConfig.ready``, next to its rules): the engine imports no domain.

- An obligation whose subject is not a child (a person followed by the prevention work, a commune's
  register of families) is seen by those whose roles grant the subject's ``verb``, through the
  organisation that answers for it. Every other obligation is seen through its child.
- ``reader``: a verb under which a role that does not read the child's record still sees the child (a
  school sees its pupils' school facts, never their record): such a role sees the obligations of this
  subject through the child, so the steps it owes reach its task list.
- ``page`` is where the step is taken (``{id}``: the subject's id, ``{child}``: the child's); a task
  list, a notification and an e-mail link there. A subject without a page links to the child's record.
  ``pages`` names another page for some of its rules: a step taken by someone who does not read the
  subject (the commune a case is offered to answers the offer, not the case).
- ``label`` names an obligation that has no child (a payroll, a periodic report) on a task list.
- ``own_sight``: an obligation of that subject is seen only as its subject is (the subject's own
  ``visible_to``), never through the organisation that answers for it: a complaint about an officer
  must not reach that officer's task list through their commune.
- ``case_worker`` gives, for an obligation of that subject, the person who holds the case (a
  subquery over ``OuterRef("subject_id")``): the head's team view groups steps by them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Expression

from haven.access.policy import Verb


@dataclass(frozen=True)
class Subject:
    verb: Verb | None = None
    reader: Verb | None = None
    page: str = ""
    label: str = ""
    case_worker: Callable[[], Expression] | None = None
    own_sight: bool = False
    pages: dict[str, str] = field(default_factory=dict)


SUBJECTS: dict[str, Subject] = {}


def register(
    subject_type: str,
    *,
    verb: Verb | None = None,
    reader: Verb | None = None,
    page: str = "",
    label: str = "",
    case_worker: Callable[[], Expression] | None = None,
    own_sight: bool = False,
    pages: dict[str, str] | None = None,
) -> None:
    """Tell the engine about a subject (``app_label.model``)."""
    SUBJECTS[subject_type] = Subject(
        verb=verb,
        reader=reader,
        page=page,
        label=label,
        case_worker=case_worker,
        own_sight=own_sight,
        pages=dict(pages or {}),
    )


def not_children() -> dict[str, Verb]:
    """The subjects that are not a child, with the verb that lets a user see their obligations."""
    return {t: s.verb for t, s in SUBJECTS.items() if s.verb is not None}


def readers() -> dict[str, Verb]:
    """The subjects of a child whose obligations are also seen under a verb other than reading the
    child's record, with that verb."""
    return {t: s.reader for t, s in SUBJECTS.items() if s.reader is not None}


def own_sight() -> set[str]:
    """The subjects whose obligations are seen only as the subject itself is."""
    return {t for t, s in SUBJECTS.items() if s.own_sight}


def case_workers() -> dict[str, Callable[[], Expression]]:
    return {t: s.case_worker for t, s in SUBJECTS.items() if s.case_worker is not None}


def subject_page(subject_type: str, subject_id, child_id, rule: str = "") -> str:
    found = SUBJECTS.get(subject_type)
    page = (found.pages.get(rule) or found.page) if found is not None else ""
    if page:
        return page.format(id=subject_id, child=child_id)
    return f"/children/{child_id}/"


def subject_label(subject_type: str) -> str:
    found = SUBJECTS.get(subject_type)
    return str(found.label) if found is not None else ""
