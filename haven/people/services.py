"""Every write to a child's record: keyword-only, atomic, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import granting, require
from haven.accounts.models import Role, User
from haven.areas.models import Area, Level
from haven.audit.models import AuditEvent
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import invalid
from haven.lib import crypto
from haven.lib import pin as pins
from haven.lib.vietnamese import nfc, normalise_tone_placement, search_key
from haven.people import rules
from haven.people.models import (
    Child,
    ChildOpinion,
    Involvement,
    InvolvementBasis,
    SiblingKind,
    SiblingLink,
    SpecialCircumstance,
)

NAME_FIELDS = ("family_name", "middle_name", "given_name")
TEXT_FIELDS = (*NAME_FIELDS, "place_of_birth")
EDITABLE = (
    *NAME_FIELDS,
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "place_of_birth",
    "ethnicity",
    "nationality",
    "current_commune",
)


def _commune(value: Area | int | None) -> Area:
    area = value if isinstance(value, Area) else Area.objects.filter(pk=value).first() if value else None
    if area is None or area.level != Level.COMMUNE:
        raise invalid("current_commune", _("Choose a commune from the list."), "unknown_commune")
    return area


def _apply(child: Child, fields: dict[str, Any]) -> list[str]:
    # A legal name is checked where it is entered, by the population register's rules and more
    # (rules.name_problem); a name already recorded and sent back unchanged is left as it is.
    rules.check_names(
        **{n: fields[n] for n in NAME_FIELDS if n in fields and nfc(fields[n]) != getattr(child, n)}
    )
    changed = []
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            value = normalise_tone_placement(nfc(value))
        attribute = "current_commune_id" if name == "current_commune" else name
        if getattr(child, attribute) != (value.pk if name == "current_commune" else value):
            setattr(child, name, value)
            changed.append(name)
    rules.clean_date_of_birth(child.date_of_birth)
    child.search_name = search_key(child.family_name, child.middle_name, child.given_name)
    return changed


def _set_pin(child: Child, pin: str | None) -> bool:
    """Store the PIN encrypted plus its blind index; '' clears it. Returns whether it changed."""
    if pin is None:
        return False
    if not pin.strip():
        changed = bool(child.pin_encrypted)
        child.pin_encrypted, child.pin_index = "", None
        return changed
    pin = rules.clean_pin(
        pin, sex=child.sex, date_of_birth=child.date_of_birth, estimated=child.date_of_birth_estimated
    )
    index = Child.pin_lookup_key(pin)
    if index == child.pin_index:
        return False
    if Child.objects.filter(pin_index=index).exclude(pk=child.pk).exists():
        # Reached only by a write that did not go through _refuse_a_held_pin (a PIN the register
        # issued: the population outbox reads the code), or by a race with another write.
        raise _not_recorded_here(code="pin_taken")
    child.pin_encrypted = crypto.encrypt(pin, keys=_keys())
    child.pin_index = index
    return True


# A PIN says who a person is, so "another child has this PIN" tells that the person is a child in
# special circumstances: only someone who may see that child is told so. Anyone else is refused with
# an answer that names no child, every conflict is audited on the child who holds the PIN, and after a
# few conflicts out of reach in 24 hours the actor records no PIN at all, so that trying PINs one after
# another learns nothing more (Personal Data Protection Law 91/2025).
PIN_CONFLICTS_A_DAY = 5


def _refuse_a_held_pin(*, actor: User, membership, child: Child | None, pin: str | None) -> None:
    """Refuse a PIN another child holds, and a PIN from an actor who has hit too many today.

    Called before the write's transaction opens, so that the audit event of a refusal is kept."""
    if not pin or not pin.strip():
        return
    try:
        canonical = pins.parse(pin).value
    except pins.InvalidPin:
        return  # the write refuses it, saying what is wrong with it
    since = clock.now() - dt.timedelta(hours=24)
    conflicts = AuditEvent.objects.filter(
        actor=actor, action="child.pin_conflict", at__gte=since, data__in_reach=False
    )
    if conflicts.count() >= PIN_CONFLICTS_A_DAY:
        raise invalid(
            "pin",
            _(
                "Several personal identification numbers you entered today could not be recorded, so "
                "none can be recorded from your account for 24 hours. Ask your province to check them."
            ),
            "pin_paused",
        )
    index = Child.pin_lookup_key(canonical)
    holder = Child.objects.filter(pin_index=index).exclude(pk=child.pk if child else None).first()
    if holder is None:
        return
    in_reach = Child.objects.visible_to(actor).filter(pk=holder.pk).exists()
    record(
        actor=actor,
        action="child.pin_conflict",
        child=holder.pk,
        organisation=membership.organisation,
        data={"pin_index": index, "record": str(child.pk) if child else None, "in_reach": in_reach},
    )
    if in_reach:
        raise invalid("pin", _("Another child already has this personal identification number."), "pin_taken")
    raise _not_recorded_here()


def _not_recorded_here(code: str = "pin_not_recorded") -> ValidationError:
    """The answer that names no child."""
    return invalid(
        "pin",
        _(
            "This personal identification number cannot be recorded on this record. Check it against "
            "the child's papers; if it is right, the province will reconcile the records."
        ),
        code,
    )


def _keys() -> list[str]:
    return settings.HAVEN_FIELD_KEYS


def child_create(*, actor: User, pin: str | None = None, **fields: Any) -> Child:
    """Register a child. An area-level role registers only in its area; an organisation-level role
    (hospital, facility...) becomes formally involved with the child, which is what lets it see them."""
    _refuse_a_held_pin(actor=actor, membership=require(actor, Verb.CHILD_CREATE), child=None, pin=pin)
    return _child_create(actor=actor, pin=pin, **fields)


@transaction.atomic
def _child_create(*, actor: User, pin: str | None, **fields: Any) -> Child:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    commune = fields["current_commune"] = _commune(fields.get("current_commune"))
    through = granting(actor, Verb.CHILD_CREATE)
    reaching = [m for m in through if _reaches(m, commune)]
    by_organisation = [m for m in through if POLICY[Role(m.role)].scope is Scope.ORGANISATION]
    if not reaching and not by_organisation:
        raise invalid(
            "current_commune", _("You can register children only in your own area."), "outside_area"
        )
    membership = reaching[0] if reaching else by_organisation[0]
    child = Child(created_by=actor)
    _apply(child, fields)
    _set_pin(child, pin)
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:
        raise _not_recorded_here() from None
    if not reaching:
        Involvement.objects.create(
            child=child, organisation=membership.organisation, basis=InvolvementBasis.REGISTERED
        )
    record(
        actor=actor,
        action="child.create",
        obj=child,
        organisation=membership.organisation,
        data={"fields": sorted(k for k, v in fields.items() if v not in ("", None)), "pin": bool(pin)},
    )
    return child


def child_update(
    *, actor: User, child: Child, pin: str | None = None, reason: str = "", **fields: Any
) -> Child:
    membership = require(actor, Verb.CHILD_UPDATE, child)
    _refuse_a_held_pin(actor=actor, membership=membership, child=child, pin=pin)
    return _child_update(actor=actor, membership=membership, child=child, pin=pin, reason=reason, **fields)


@transaction.atomic
def _child_update(
    *, actor: User, membership, child: Child, pin: str | None, reason: str, **fields: Any
) -> Child:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if "current_commune" in fields:
        commune = fields["current_commune"] = _commune(fields["current_commune"])
        if commune.pk != child.current_commune_id and not _may_place_in(actor, Verb.CHILD_UPDATE, commune):
            raise invalid(
                "current_commune",
                _(
                    "You can move a child only within your own area. A move to another commune is a handover "
                    "that the receiving commune must accept."
                ),
                "outside_area",
            )
    changed = _apply(child, fields)
    if _set_pin(child, pin):
        changed.append("pin")
    elif pin is None and child.pin_encrypted and {"sex", "date_of_birth"} & set(changed):
        # The PIN encodes sex and birth year: they must keep agreeing with it.
        rules.clean_pin(
            child.pin,
            sex=child.sex,
            date_of_birth=child.date_of_birth,
            estimated=child.date_of_birth_estimated,
        )
    if not changed:
        return child
    child.save()
    record(
        actor=actor,
        action="child.update",
        obj=child,
        organisation=membership.organisation,
        reason=reason,
        data={"changed": changed},
    )
    return child


@transaction.atomic
def circumstance_add(
    *,
    actor: User,
    child: Child,
    group: str,
    started_on: dt.date,
    evidence: str,
    subgroup: str = "",
    ended_on: dt.date | None = None,
) -> SpecialCircumstance:
    membership = require(actor, Verb.CHILD_UPDATE, child)
    if ended_on is not None and ended_on < started_on:
        raise invalid("ended_on", _("The end date is before the start date."), "ends_before_start")
    if not evidence.strip():
        raise invalid("evidence", _("Say what evidence supports this group."), "evidence_required")
    circumstance = SpecialCircumstance.objects.create(
        child=child,
        group=group,
        subgroup=subgroup,
        started_on=started_on,
        ended_on=ended_on,
        evidence=evidence.strip(),
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="child.circumstance_add",
        obj=circumstance,
        organisation=membership.organisation,
        data={"group": group},
    )
    return circumstance


def circumstance_from_pathway(
    *,
    actor: User | None,
    child: Child,
    group: str,
    started_on: dt.date,
    evidence: str,
    organisation=None,
) -> SpecialCircumstance:
    """A group a pathway establishes by itself (a found child is an abandoned child, Law on Children
    art. 10(b); Decree 123/2015 art. 14), recorded in the pathway's own transaction, which has checked
    who acts; audited like any group. ``actor`` is None for a report from the public."""
    circumstance = SpecialCircumstance.objects.create(
        child=child,
        group=group,
        started_on=started_on,
        evidence=evidence,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record(
        actor=actor,
        action="child.circumstance_add",
        obj=circumstance,
        organisation=organisation,
        data={"group": group, "by": "pathway"},
    )
    return circumstance


def circumstance_end_from_pathway(*, actor: User | None, child: Child, group: str, ended_on: dt.date) -> int:
    """A pathway ends the group it established (a found child returned to the family is no longer
    abandoned); audited for each group ended."""
    ended = 0
    for circumstance in SpecialCircumstance.objects.filter(child=child, group=group, ended_on__isnull=True):
        circumstance.ended_on = max(ended_on, circumstance.started_on)
        circumstance.save(update_fields=["ended_on", "updated_at"])
        record(
            actor=actor,
            action="child.circumstance_end",
            obj=circumstance,
            data={"group": group, "by": "pathway"},
        )
        ended += 1
    return ended


@transaction.atomic
def circumstance_end(
    *, actor: User, circumstance: SpecialCircumstance, ended_on: dt.date
) -> SpecialCircumstance:
    membership = require(actor, Verb.CHILD_UPDATE, circumstance.child)
    if ended_on < circumstance.started_on:
        raise invalid("ended_on", _("The end date is before the start date."), "ends_before_start")
    circumstance.ended_on = ended_on
    circumstance.save(update_fields=["ended_on", "updated_at"])
    record(
        actor=actor,
        action="child.circumstance_end",
        obj=circumstance,
        organisation=membership.organisation,
        data={"group": circumstance.group},
    )
    return circumstance


@transaction.atomic
def sibling_link(
    *, actor: User, child: Child, sibling: Child, kind: str = SiblingKind.UNKNOWN
) -> SiblingLink:
    """Link two children as siblings, in both directions."""
    membership = require(actor, Verb.CHILD_UPDATE, child)
    require(actor, Verb.CHILD_VIEW, sibling)
    if child.pk == sibling.pk:
        raise invalid("sibling", _("A child cannot be their own sibling."), "sibling_self")
    link, _created = SiblingLink.objects.get_or_create(
        child=child, sibling=sibling, defaults={"kind": kind, "recorded_by": actor}
    )
    SiblingLink.objects.get_or_create(
        child=sibling, sibling=child, defaults={"kind": kind, "recorded_by": actor}
    )
    record(
        actor=actor,
        action="child.sibling_link",
        obj=link,
        organisation=membership.organisation,
        data={"sibling": str(sibling.pk), "kind": kind},
    )
    return link


@transaction.atomic
def opinion_record(
    *, actor: User, child: Child, heard_on: dt.date, subject: str, opinion: str
) -> ChildOpinion:
    """The child's own view (Law on Children art. 34, 60(3)), whichever door it comes through (the
    child's page, the API, a protection case): what was asked and what the child said are required,
    the day is not in the future nor before the birth; every problem is said at once."""
    membership = require(actor, Verb.CHILD_UPDATE, child)
    errors: dict[str, list[ValidationError]] = {
        name: [ValidationError(_("This field is required."), code="required")]
        for name, value in (("subject", subject), ("opinion", opinion))
        if not (value or "").strip()
    }
    if heard_on is None:
        errors["heard_on"] = [ValidationError(_("This field is required."), code="required")]
    else:
        try:
            rules.clean_heard_on(heard_on, child)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    entry = ChildOpinion.objects.create(
        child=child, heard_on=heard_on, subject=subject.strip(), opinion=opinion.strip(), recorded_by=actor
    )
    record(actor=actor, action="child.opinion_record", obj=entry, organisation=membership.organisation)
    return entry


def _reaches(membership, commune: Area) -> bool:
    """Whether an area-level membership's area contains ``commune``."""
    if POLICY[Role(membership.role)].scope is Scope.NATION:
        return True
    if POLICY[Role(membership.role)].scope is not Scope.AREA:
        return False
    area = membership.organisation.area
    return area.pk in (commune.pk, commune.parent_id)


def _may_place_in(actor: User, verb: Verb, commune: Area) -> bool:
    """Moving a child's commune stays within the actor's area; a hospital, facility or school does not
    move a child between communes (that is a handover between commune authorities)."""
    return any(_reaches(m, commune) for m in granting(actor, verb))


def child_register_found(
    *, actor: User | None, commune: Area, sex: str, date_of_birth: dt.date | None, estimated: bool
) -> Child:
    """A child's record opened by a pathway that has checked its own access rules (a found child may
    be reported by the public, who hold no role). Audited like any creation."""
    child = Child(created_by=actor if actor is not None and actor.is_authenticated else None)
    _apply(
        child,
        {
            "current_commune": commune,
            "sex": sex,
            "date_of_birth": date_of_birth,
            "date_of_birth_estimated": estimated,
        },
    )
    child.save()
    return child


def child_name_and_birth(
    *,
    child: Child,
    family_name: str,
    middle_name: str,
    given_name: str,
    date_of_birth: dt.date,
    estimated: bool,
    place_of_birth: str,
) -> list[str]:
    """Birth registration fixes the name and birth details (the caller audits the registration)."""
    changed = _apply(
        child,
        {
            "family_name": family_name,
            "middle_name": middle_name,
            "given_name": given_name,
            "date_of_birth": date_of_birth,
            "date_of_birth_estimated": estimated,
            "place_of_birth": place_of_birth,
        },
    )
    child.save()
    return changed


def child_set_pin(*, child: Child, pin: str) -> None:
    """A PIN issued by the population register (checked like any other)."""
    _set_pin(child, pin)
    child.save(update_fields=["pin_encrypted", "pin_index", "updated_at"])


# Records that name a child but must not follow it into a merge: the pairs of the linkage (the
# history of how the two records were found and joined) and the request for a PIN (the register
# answered it for that record). A known-child match names the candidate record the person chose between.
# The child's links to the population register do follow it: the child stays linked to its person, and
# two records linked to two different persons cannot be merged (one link in force per child).
_NOT_MOVED_ON_MERGE = {
    "linkage.candidate",
    "population.registerrequest",
    "protection.knownchildmatch",
}


def child_merge(
    *, actor: User | None, kept: Child, merged: Child, action: str, data: dict | None = None
) -> dict:
    """Two records are one child (a person decided it): ``merged`` points to ``kept`` (kept, never
    deleted, never listed again) and what was recorded about the child on ``merged`` — groups, views,
    involvements, cases, placements, open steps — continues on ``kept``. The caller checks access and
    audits its own decision; this audits the merge. Returns what moved (the rows' keys by
    "app.model.field", the sibling links changed or dropped, the PIN), which `child_unmerge` takes to
    put it back."""
    if kept.pk == merged.pk:
        raise invalid("child", _("A record cannot be merged into itself."), "merge_self")
    if kept.merged_into_id or merged.merged_into_id:
        raise invalid("child", _("One of the two records was already merged."), "already_merged")
    moved: dict = {}
    for model, field in _child_relations():
        label = model._meta.label_lower
        rows = model._base_manager.filter(**{field: merged})
        keys = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if not keys:
            continue
        try:
            with transaction.atomic():
                rows.update(**{field: kept})
        except IntegrityError:
            raise invalid(
                "child",
                _("Both records hold %(what)s that cannot be joined; resolve that first, then merge.")
                % {"what": model._meta.verbose_name_plural},
                "merge_conflict",
            ) from None
        moved[f"{label}.{field}"] = keys
    # Siblings: each link once, never a link from the child to itself.
    changed, dropped = [], []
    for link in SiblingLink.objects.filter(Q(child=merged) | Q(sibling=merged)):
        child_id = kept.pk if link.child_id == merged.pk else link.child_id
        sibling_id = kept.pk if link.sibling_id == merged.pk else link.sibling_id
        if (
            child_id != sibling_id
            and not SiblingLink.objects.filter(child_id=child_id, sibling_id=sibling_id).exists()
        ):
            changed.append([link.pk, str(link.child_id), str(link.sibling_id)])
            SiblingLink.objects.filter(pk=link.pk).update(child_id=child_id, sibling_id=sibling_id)
        else:
            dropped.append([str(link.child_id), str(link.sibling_id), link.kind, link.recorded_by_id])
            link.delete()
    if changed or dropped:
        moved["siblings"] = {"changed": changed, "dropped": dropped}
    # The PIN follows the child when only the merged record had one.
    if merged.pin_encrypted and not kept.pin_encrypted:
        pin = merged.pin
        merged.pin_encrypted, merged.pin_index = "", None
        merged.merged_into = kept
        merged.save(update_fields=["pin_encrypted", "pin_index", "merged_into", "updated_at"])
        _set_pin(kept, pin)
        kept.save(update_fields=["pin_encrypted", "pin_index", "updated_at"])
        moved["pin"] = True
    else:
        merged.merged_into = kept
        merged.save(update_fields=["merged_into", "updated_at"])
    _merge_audit(actor, "child.merge", kept, merged, action, moved, data)
    return moved


def child_unmerge(
    *,
    actor: User | None,
    kept: Child,
    merged: Child,
    moved: dict,
    action: str,
    reason: str,
    data: dict | None = None,
) -> None:
    """Undo `child_merge` with what it returned: the rows it moved go back to ``merged``, which is
    listed again. What was recorded on ``kept`` after the merge stays there."""
    if merged.merged_into_id != kept.pk:
        raise invalid("child", _("These two records are not merged."), "not_merged")
    if kept.merged_into_id:
        # What the first merge moved has since moved on with the kept record: undo the later merge
        # first, or those rows would stay behind on the other record.
        raise invalid(
            "child",
            _("The kept record was itself merged into another since; undo that merge first."),
            "merged_since",
        )
    relations = {f"{m._meta.label_lower}.{f}": (m, f) for m, f in _child_relations()}
    for key, keys in moved.items():
        if key in relations:
            model, field = relations[key]
            model._base_manager.filter(pk__in=keys, **{field: kept}).update(**{field: merged})
    siblings = moved.get("siblings", {})
    for pk, child_id, sibling_id in siblings.get("changed", []):
        SiblingLink.objects.filter(pk=pk).update(child_id=child_id, sibling_id=sibling_id)
    for child_id, sibling_id, kind, recorded_by in siblings.get("dropped", []):
        SiblingLink.objects.get_or_create(
            child_id=child_id, sibling_id=sibling_id, defaults={"kind": kind, "recorded_by_id": recorded_by}
        )
    merged.merged_into = None
    if moved.get("pin") and kept.pin_encrypted:
        pin = kept.pin
        kept.pin_encrypted, kept.pin_index = "", None
        kept.save(update_fields=["pin_encrypted", "pin_index", "updated_at"])
        _set_pin(merged, pin)
    merged.save()
    _merge_audit(actor, "child.unmerge", kept, merged, action, moved, {"reason": reason, **(data or {})})


def _child_relations() -> list[tuple[type, str]]:
    """Every (model, field) naming a child whose rows follow it into a merge."""
    found = []
    for relation in Child._meta.get_fields(include_hidden=True):
        # One-to-one records (a found child's case) move too; when both records hold one, the
        # merge is refused as a conflict (the unique key says so).
        if not relation.auto_created or relation.concrete:
            continue
        model = relation.related_model
        label = model._meta.label_lower
        if label in _NOT_MOVED_ON_MERGE or model._meta.auto_created or not relation.field.concrete:
            continue
        # simple_history's copies are the record of the past: never rewritten.
        if label.partition(".")[2].startswith("historical"):
            continue
        if model is SiblingLink or (model is Child and relation.field.name == "merged_into"):
            continue
        found.append((model, relation.field.name))
    return found


def _merge_audit(
    actor, what: str, kept: Child, merged: Child, action: str, moved: dict, data: dict | None
) -> None:
    counts = {k: len(v) if isinstance(v, list) else 1 for k, v in moved.items()}
    for child in (kept, merged):
        record(
            actor=actor,
            action=what,
            obj=child,
            reason=(data or {}).get("reason", ""),
            data={
                "kept": str(kept.pk),
                "merged": str(merged.pk),
                "by": action,
                "moved": counts,
                **(data or {}),
            },
        )


def child_clear_pin(*, child: Child) -> None:
    """Take back a PIN that came with a register link now undone (the caller audits it)."""
    child.pin_encrypted, child.pin_index = "", None
    child.save(update_fields=["pin_encrypted", "pin_index", "updated_at"])
