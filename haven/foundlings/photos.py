"""Housekeeping of the photos of found children: photos stored before uploads were re-encoded are
re-encoded under a name the server makes, and files no case points to are deleted (security review
findings 1 and 20). Run by `haven photos tidy`; safe to run again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from haven.audit.services import record
from haven.core import uploads
from haven.foundlings.models import FoundlingCase

FOLDER = "foundlings"
SERVER_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")


@dataclass
class Tidied:
    reencoded: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # left as they are: served only as downloads
    deleted: list[str] = field(default_factory=list)


def _stored_files(folder: str = FOLDER) -> list[str]:
    if not default_storage.exists(folder):
        return []
    folders, files = default_storage.listdir(folder)
    found = [f"{folder}/{name}" for name in files]
    for sub in folders:
        found += _stored_files(f"{folder}/{sub}")
    return found


def photos_tidy(*, dry_run: bool = False) -> Tidied:
    tidied = Tidied()
    for case in FoundlingCase.objects.exclude(photo="").exclude(photo__isnull=True).select_related("child"):
        old = case.photo.name
        if SERVER_NAME.fullmatch(old.rsplit("/", 1)[-1]):
            continue
        try:
            with case.photo.open("rb") as stored:
                clean = uploads.photo_for_storage(stored)
        except (ValidationError, OSError):
            tidied.unreadable.append(old)
            continue
        tidied.reencoded.append(old)
        if dry_run:
            continue
        with transaction.atomic():
            case.photo.save(clean.name, clean, save=False)
            case.save(update_fields=["photo", "updated_at"])
            record(actor=None, action="child.photo_reencode", obj=case.child, data={"case": str(case.pk)})
            transaction.on_commit(lambda old=old: default_storage.delete(old))
    kept = set(FoundlingCase.objects.exclude(photo="").values_list("photo", flat=True))
    for name in _stored_files():
        if name not in kept and name not in tidied.reencoded:
            tidied.deleted.append(name)
            if not dry_run:
                default_storage.delete(name)
    return tidied
