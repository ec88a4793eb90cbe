"""Every write of the linkage: a run's proposals, automatic links, people's decisions and undoing them.

Rules (issue #5 item 5; docs/decisions/0010-linkage-review.md):
- a link is made automatically only when the model decides `link` AND the child's PIN in Haven is the
  register person's (the "same valid PIN" level); anything else is a review item;
- a pair a person rejected is never proposed again (by child and register person, or by the two
  children); a child linked to a person is not proposed to that person again;
- a PIN is taken from the register only by a child that has none (audited); a different PIN in Haven
  is never overwritten: the link says so, for a person to correct;
- two Haven records are merged only by a person, keeping the older record.
Each decision is kept as a label with the pair's features, for tuning the thresholds later.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import require
from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.audit.services import record, record_many
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.lib import crypto
from haven.linkage import model
from haven.linkage.models import (
    Candidate,
    Label,
    LabelDecision,
    LinkHow,
    LinkRun,
    PairStatus,
    Reason,
    RegisterLink,
    RunKind,
)
from haven.people import services as people
from haven.people.models import Child

# The register person's fields kept on a pair, to show side by side (the PIN is kept encrypted).
PERSON_FIELDS = (
    "family_name",
    "middle_name",
    "given_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "commune_code",
    "old_commune_code",
    "province_code",
    "mother_name",
    "father_name",
)
NOTE_MAX = 2000


def _keys() -> list[str]:
    return settings.HAVEN_FIELD_KEYS


def _snapshot(row: dict) -> dict:
    return {f: ("" if pd.isna(row.get(f)) else str(row.get(f, ""))) for f in PERSON_FIELDS if f in row}


def _features(row: dict) -> tuple[dict, dict]:
    contributions = {k[3:]: round(float(v), 4) for k, v in row.items() if k.startswith("mw_") and pd.notna(v)}
    gammas = {k[6:]: int(v) for k, v in row.items() if k.startswith("gamma_") and pd.notna(v)}
    return contributions, gammas


def _reason(row: dict, gammas: dict, thresholds: model.Thresholds) -> str:
    """Why the model's proposal is not an automatic link."""
    if row["decision"] == "link":
        if gammas.get("pin") == model.PIN_VALID_AGREES:
            return Reason.AUTOMATIC
        return Reason.PIN_MISSING if gammas.get("pin", -1) == -1 else Reason.PIN_DISAGREES
    if row.get("found"):
        return Reason.FOUND_CHILD  # the likely persons of a found child are a person's to choose
    if row["match_probability"] < thresholds.upper:
        return Reason.BELOW_UPPER
    if gammas.get("pin") == model.PIN_SUSPECT:
        return Reason.PIN_SUSPECT
    if gammas.get("sex") == model.SEX_DISAGREES:
        return Reason.SEX_DISAGREES
    if _sibling_like(gammas):
        return Reason.SIBLING_LIKE
    return Reason.CONTESTED


def _sibling_like(gammas: dict) -> bool:
    """model.decide()'s sibling rule: a parent's name agrees, and the given names are not alike or the
    two PINs differ by more than a digit (docs/decisions/0009-linkage.md)."""
    parent = any(gammas.get(c, -1) >= model.PARENT_AGREES for c in ("mother_name", "father_name"))
    differs = (
        gammas.get("given_name") == model.GIVEN_NAME_DISAGREES or gammas.get("pin") == model.PIN_DISAGREES
    )
    return parent and differs


def _event(action: str, obj, *, child_id, actor=None, at: dt.datetime, data: dict) -> AuditEvent:
    return AuditEvent(
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        child_id=child_id,
        data=data,
    )


@transaction.atomic
def run_record(
    *,
    kind: str,
    actor: User | None,
    source: str,
    province_code: str,
    thresholds: model.Thresholds,
    records: pd.DataFrame,
    register: pd.DataFrame | None,
    pairs: pd.DataFrame,
    started_at: dt.datetime,
    seconds: float,
) -> LinkRun:
    """Record a run's proposals in one transaction: automatic links, review items, the run's counts."""
    now = clock.now()
    run = LinkRun.objects.create(
        kind=kind,
        started_by=actor if actor is not None and actor.is_authenticated else None,
        source=source[:300],
        province_code=province_code,
        upper=thresholds.upper,
        lower=thresholds.lower,
        records=len(records),
        register_people=0 if register is None else len(register),
        candidate_pairs=int(pairs.attrs.get("candidate_pairs", len(pairs))),
        started_at=started_at,
        finished_at=now,
        seconds=0,
    )
    record_rows = {r["id"]: r for r in records.to_dict("records")}
    events: list[AuditEvent] = []
    if kind == RunKind.REGISTER:
        person_rows = {} if register is None else {str(r["id"]): r for r in register.to_dict("records")}
        links, reviews = _record_register_pairs(run, pairs, record_rows, person_rows, thresholds, now, events)
    else:
        links, reviews = 0, _record_duplicate_pairs(run, pairs, record_rows, now, events)
    run.links, run.review_items, run.seconds = links, reviews, seconds
    run.save(update_fields=["links", "review_items", "seconds"])
    record_many(events)
    record(
        actor=actor,
        action="linkage.run",
        obj=run,
        at=now,
        data={
            "kind": kind,
            "source": run.source,
            "province": province_code,
            "records": run.records,
            "candidate_pairs": run.candidate_pairs,
            "links": links,
            "review_items": reviews,
        },
    )
    return run


# Ids per query: SQLite allows 32,766 variables in a statement, and a national run has more children.
BATCH = 5_000


def _batches(ids) -> list[list]:
    ids = list(ids)
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


def _record_register_pairs(run, pairs, record_rows, person_rows, thresholds, now, events) -> tuple[int, int]:
    child_ids = {r for r in pairs["record_id"]} if len(pairs) else set()
    # The waiting pairs are locked first: a reviewer deciding one of them now either finishes before
    # (the pair is then read as decided) or waits for the run; the run never writes over a decision.
    pending = {
        (c.child_id, c.person_id): c
        for batch in _batches(child_ids)
        for c in Candidate.objects.select_for_update().filter(
            kind=RunKind.REGISTER,
            child_id__in=batch,
            status__in=[PairStatus.PROPOSED, PairStatus.UNDONE],
        )
    }
    # A person's "not the same" holds for the child, whichever of its records it was said on: a
    # rejection on a record since merged into this one counts for this one.
    rejected = {
        (kept or child_id, person_id)
        for batch in _batches(child_ids)
        for child_id, kept, person_id in Candidate.objects.filter(
            Q(child_id__in=batch) | Q(child__merged_into_id__in=batch),
            kind=RunKind.REGISTER,
            status=PairStatus.REJECTED,
        ).values_list("child_id", "child__merged_into_id", "person_id")
    }
    in_force = {
        child_id: person_id
        for batch in _batches(child_ids)
        for child_id, person_id in RegisterLink.objects.active()
        .filter(child_id__in=batch)
        .values_list("child_id", "person_id")
    }
    person_ids = {str(p) for p in pairs["register_id"]} if len(pairs) else set()
    # Register people already linked to a child: never linked automatically to a second one.
    taken = {
        person_id
        for batch in _batches(person_ids)
        for person_id in RegisterLink.objects.active()
        .filter(person_id__in=batch)
        .values_list("person_id", flat=True)
    }
    links = reviews = 0
    for row in pairs.sort_values("match_weight", ascending=False).to_dict("records"):
        child_id = Child._meta.pk.to_python(row["record_id"])
        person_id = str(row["register_id"])
        if (child_id, person_id) in rejected or in_force.get(child_id) == person_id:
            continue  # a person said no, or the link is already in force
        contributions, gammas = _features(row)
        reason = _reason(row, gammas, thresholds)
        if reason == Reason.AUTOMATIC and child_id in in_force:
            reason = Reason.ALREADY_LINKED
        elif reason == Reason.AUTOMATIC and person_id in taken:
            reason = Reason.PERSON_LINKED
        person = person_rows.get(person_id, {})
        pin = "" if pd.isna(person.get("pin")) else str(person.get("pin", ""))
        values = {
            "run": run,
            "person": _snapshot(person),
            "person_pin_encrypted": crypto.encrypt(pin, keys=_keys()) if pin else "",
            "record": _record_snapshot(record_rows.get(row["record_id"], {})),
            "match_weight": float(row["match_weight"]),
            "match_probability": float(row["match_probability"]),
            "contributions": contributions,
            "gammas": gammas,
            "model_decision": row["decision"],
            "reason": reason,
        }
        candidate = pending.get((child_id, person_id))
        if candidate is not None and candidate.status == PairStatus.UNDONE:
            # A person undid a decision on this pair: only a person decides it again.
            if reason == Reason.AUTOMATIC:
                values["reason"] = Reason.UNDONE
        elif reason == Reason.AUTOMATIC:
            # New, or waiting for a person who has not decided yet (the record has since gained the
            # agreeing PIN): the rule for an automatic link holds, so the link is made.
            if candidate is None:
                candidate = Candidate(
                    kind=RunKind.REGISTER, child_id=child_id, person_id=person_id, created_at=now
                )
            for name, value in values.items():
                setattr(candidate, name, value)
            candidate.status, candidate.decided_at = PairStatus.LINKED, now
            if candidate._state.adding:
                candidate.save()
            else:
                candidate.save(update_fields=[*values, "status", "decided_at"])
            link = RegisterLink.objects.create(
                child_id=child_id,
                candidate=candidate,
                person_id=person_id,
                pin_encrypted=candidate.person_pin_encrypted,
                how=LinkHow.AUTOMATIC,
                linked_at=now,
            )
            in_force[child_id] = person_id
            taken.add(person_id)
            links += 1
            events.append(
                _event(
                    "linkage.link",
                    link,
                    child_id=child_id,
                    at=now,
                    data={"how": LinkHow.AUTOMATIC, "run": str(run.pk), "person": person_id},
                )
            )
            continue
        if candidate is None:
            candidate = Candidate.objects.create(
                kind=RunKind.REGISTER, child_id=child_id, person_id=person_id, created_at=now, **values
            )
            action = "linkage.propose"
        else:
            # Proposed again by a later run: the pair shows the latest scores (and only those change).
            for name, value in values.items():
                setattr(candidate, name, value)
            candidate.save(update_fields=list(values))
            action = "linkage.propose_again"
        reviews += 1
        events.append(
            _event(
                action,
                candidate,
                child_id=child_id,
                at=now,
                data={"run": str(run.pk), "person": person_id, "reason": candidate.reason},
            )
        )
    return links, reviews


def _record_snapshot(row: dict) -> dict:
    return {k: ("" if pd.isna(v) else str(v)) for k, v in row.items() if k not in ("id", "pin")}


def _record_duplicate_pairs(run, pairs, record_rows, now, events) -> int:
    if not len(pairs):
        return 0
    ids = {*pairs["record_id"], *pairs["register_id"]}
    created = {
        str(pk): at
        for batch in _batches(ids)
        for pk, at in Child.objects.filter(pk__in=batch).values_list("pk", "created_at")
    }
    known = {}
    for batch in _batches(ids):
        for c in Candidate.objects.select_for_update().filter(kind=RunKind.DUPLICATES, child_id__in=batch):
            known[frozenset((str(c.child_id), str(c.other_child_id)))] = c
    reviews = 0
    for row in pairs.sort_values("match_weight", ascending=False).to_dict("records"):
        a, b = str(row["record_id"]), str(row["register_id"])
        if a not in created or b not in created:
            continue
        # The older record first: it is the one a merge keeps.
        older, newer = sorted((a, b), key=lambda pk: (created[pk], pk))
        existing = known.get(frozenset((a, b)))
        if existing is not None and not existing.pending:
            continue  # rejected (never proposed again) or merged
        contributions, gammas = _features(row)
        values = {
            "run": run,
            "record": {
                "left": _record_snapshot(record_rows.get(older, {})),
                "right": _record_snapshot(record_rows.get(newer, {})),
            },
            "match_weight": float(row["match_weight"]),
            "match_probability": float(row["match_probability"]),
            "contributions": contributions,
            "gammas": gammas,
            "model_decision": row["decision"],
            "reason": Reason.DUPLICATE,
        }
        if existing is None:
            candidate = Candidate.objects.create(
                kind=RunKind.DUPLICATES,
                child_id=older,
                other_child_id=newer,
                created_at=now,
                **values,
            )
            known[frozenset((a, b))] = candidate
        else:
            candidate = existing
            for name, value in values.items():
                setattr(candidate, name, value)
            candidate.save(update_fields=list(values))
        reviews += 1
        for child_id in (older, newer):
            events.append(
                _event(
                    "linkage.propose",
                    candidate,
                    child_id=Child._meta.pk.to_python(child_id),
                    at=now,
                    data={"run": str(run.pk), "kind": RunKind.DUPLICATES},
                )
            )
    return reviews


def _acting(actor: User, candidate: Candidate):
    membership = require(actor, Verb.LINKAGE_REVIEW, candidate)
    if candidate.other_child_id:
        require(actor, Verb.LINKAGE_REVIEW, candidate.other_child)
    return membership


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise invalid("note", _("The note is too long (at most 2,000 characters)."), "too_long")
    return note


@transaction.atomic
def decide(*, actor: User, candidate: Candidate, same: bool, note: str = "") -> Candidate:
    """A person's decision on a pending pair: the same person (link, or merge two records) or not."""
    membership = _acting(actor, candidate)
    note = _note(note)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if not candidate.pending:
        raise Refused(_("This pair has already been decided."), code="already_decided")
    now = clock.now()
    data: dict = {"same": same, "kind": candidate.kind}
    if same and candidate.kind == RunKind.REGISTER:
        data.update(_link_reviewed(actor, candidate, membership, now))
    elif same:
        # Locked: two reviewers merging pairs that share a record must not both see it unmerged.
        kept = Child.objects.select_for_update().get(pk=candidate.child_id)
        merged = Child.objects.select_for_update().get(pk=candidate.other_child_id)
        candidate.merge = people.child_merge(
            actor=actor, kept=kept, merged=merged, action="linkage.decide", data={"pair": str(candidate.pk)}
        )
        data["kept"], data["merged"] = str(kept.pk), str(merged.pk)
    candidate.status = PairStatus.LINKED if same else PairStatus.REJECTED
    candidate.decided_by, candidate.decided_at, candidate.note = actor, now, note
    candidate.save(update_fields=["status", "decided_by", "decided_at", "note", "merge"])
    Label.objects.create(
        candidate=candidate,
        decision=LabelDecision.SAME if same else LabelDecision.DIFFERENT,
        note=note,
        decided_by=actor,
        decided_at=now,
    )
    for child_id in filter(None, (candidate.child_id, candidate.other_child_id)):
        record(
            actor=actor,
            action="linkage.decide",
            obj=candidate,
            child=child_id,
            organisation=membership.organisation,
            reason=note,
            at=now,
            data=data,
        )
    return candidate


def _link_reviewed(actor: User, candidate: Candidate, membership, now: dt.datetime) -> dict:
    child = Child.objects.select_for_update().get(pk=candidate.child_id)
    if RegisterLink.objects.active().filter(child=child).exists():
        raise Refused(
            _("This child is already linked to a person of the register; undo that link first."),
            code="already_linked",
        )
    # One person of the register is one child: a second child linked to them is the same child
    # registered twice (a duplicates pair to merge), never two links in force.
    if RegisterLink.objects.active().filter(person_id=candidate.person_id).exclude(child=child).exists():
        raise Refused(
            _(
                "This person of the register is already linked to another child in Haven: the two "
                "records may be one child; decide that first."
            ),
            code="person_linked",
        )
    pin = candidate.person_pin
    stored = conflict = False
    if pin and not child.pin_encrypted:
        if Child.objects.filter(pin_index=Child.pin_lookup_key(pin)).exclude(pk=child.pk).exists():
            raise Refused(
                _("Another child in Haven has this person's PIN: the two records may be one child."),
                code="pin_taken",
            )
        try:
            people.child_set_pin(child=child, pin=pin)
            stored = True
        except ValidationError:
            conflict = True  # the PIN disagrees with the record's sex or year: a person corrects it
    elif pin and child.pin != pin:
        conflict = True
    RegisterLink.objects.create(
        child=child,
        candidate=candidate,
        person_id=candidate.person_id,
        pin_encrypted=candidate.person_pin_encrypted,
        how=LinkHow.REVIEWED,
        linked_by=actor,
        linked_at=now,
        pin_stored=stored,
        pin_conflict=conflict,
    )
    if stored:
        record(
            actor=actor,
            action="child.pin_from_register",
            obj=child,
            organisation=membership.organisation,
            at=now,
            data={"person": candidate.person_id, "pair": str(candidate.pk)},
        )
    return {"person": candidate.person_id, "pin_stored": stored, "pin_conflict": conflict}


@transaction.atomic
def undo(*, actor: User, candidate: Candidate, reason: str) -> Candidate:
    """Undo a decision or a link, with a reason: the pair waits for a person again, and the history
    (the link, the labels) is kept. A PIN the link gave the child is taken back."""
    membership = _acting(actor, candidate)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Say why the decision is undone."), "reason_required")
    if len(reason) > NOTE_MAX:
        raise invalid("reason", _("The reason is too long (at most 2,000 characters)."), "too_long")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.pending:
        raise Refused(_("There is no decision to undo on this pair."), code="nothing_to_undo")
    now = clock.now()
    data: dict = {"was": candidate.status, "kind": candidate.kind}
    if candidate.status == PairStatus.LINKED and candidate.kind == RunKind.DUPLICATES:
        # The two records are separated again: what the merge moved goes back to the newer one.
        merged = Child.objects.select_for_update().get(pk=candidate.other_child_id)
        kept = Child.objects.select_for_update().get(pk=candidate.child_id)
        people.child_unmerge(
            actor=actor,
            kept=kept,
            merged=merged,
            moved=candidate.merge,
            action="linkage.undo",
            reason=reason,
            data={"pair": str(candidate.pk)},
        )
        data["unmerged"] = str(merged.pk)
    elif candidate.status == PairStatus.LINKED:
        link = RegisterLink.objects.active().select_for_update().filter(candidate=candidate).first()
        if link is not None:
            link.undone_by, link.undone_at, link.undo_reason = actor, now, reason
            link.save(update_fields=["undone_by", "undone_at", "undo_reason"])
            # The link's child: the pair's, or the record it was merged into (the link followed it).
            child = Child.objects.select_for_update().get(pk=link.child_id)
            if link.pin_stored and child.pin_encrypted and child.pin == link.pin:
                people.child_clear_pin(child=child)
                data["pin_removed"] = True
                record(
                    actor=actor,
                    action="child.pin_removed_with_link",
                    obj=child,
                    organisation=membership.organisation,
                    reason=reason,
                    at=now,
                    data={"person": link.person_id},
                )
    candidate.status = PairStatus.UNDONE
    candidate.save(update_fields=["status"])
    Label.objects.create(
        candidate=candidate, decision=LabelDecision.UNDONE, note=reason, decided_by=actor, decided_at=now
    )
    for child_id in filter(None, (candidate.child_id, candidate.other_child_id)):
        record(
            actor=actor,
            action="linkage.undo",
            obj=candidate,
            child=child_id,
            organisation=membership.organisation,
            reason=reason,
            at=now,
            data=data,
        )
    return candidate


# The model's comparisons (haven/linkage/model.py comparisons(), output_column_name).
COMPARISONS = (
    "pin",
    "given_name",
    "family_name",
    "middle_name",
    "date_of_birth",
    "sex",
    "place",
    "mother_name",
    "father_name",
)
LABEL_COLUMNS = (
    "pair",
    "kind",
    "run",
    "match_weight",
    "match_probability",
    "model_decision",
    "decision",
    "decided_at",
)


def label_rows():
    """The labels as rows: the pair's features (each comparison's level and match weight) and the
    person's decision; no name, no identifier of a child (for tuning thresholds, not for reading)."""
    comparisons = COMPARISONS
    header = [*LABEL_COLUMNS, *(f"gamma_{c}" for c in comparisons), *(f"mw_{c}" for c in comparisons)]
    yield header
    for label in Label.objects.select_related("candidate").order_by("decided_at", "pk").iterator():
        c = label.candidate
        yield [
            str(c.pk),
            c.kind,
            str(c.run_id),
            f"{c.match_weight:.6g}",
            f"{c.match_probability:.6g}",
            c.model_decision,
            label.decision,
            label.decided_at.isoformat(),
            *(c.gammas.get(name, "") for name in comparisons),
            *(c.contributions.get(name, "") for name in comparisons),
        ]
