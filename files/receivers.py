"""Random storage names for uploaded images and documents (any image/document model)."""

from __future__ import annotations

import os
import secrets

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

_ORIGINAL = "_plaza_original_name"
MAX_EXTENSION = 10


def random_name(original: str) -> str:
    """A random file name that keeps only the (lower-cased, short) extension."""
    _stem, ext = os.path.splitext(os.path.basename(original or ""))
    ext = ext.lower() if 1 < len(ext) <= MAX_EXTENSION and ext[1:].isalnum() else ""
    return f"{secrets.token_urlsafe(18)}{ext}"


def randomise_upload(sender, instance, raw=False, **kwargs) -> None:
    """Before a new file is written: swap its name for a random one, remember the original."""
    field_file = getattr(instance, "file", None)
    if raw or not field_file or getattr(field_file, "_committed", True):
        return
    original = os.path.basename(field_file.name or "")[:255] or "file"
    setattr(instance, _ORIGINAL, original)
    field_file.name = random_name(original)


def record_original(sender, instance, raw=False, **kwargs) -> None:
    from .models import StoredFile

    original = instance.__dict__.pop(_ORIGINAL, None)
    if raw or original is None or not instance.file:
        return
    StoredFile.objects.update_or_create(
        path=instance.file.name, defaults={"original_name": original}
    )


def forget_original(sender, instance, **kwargs) -> None:
    from .models import StoredFile

    if instance.file:
        StoredFile.objects.filter(path=instance.file.name).delete()


def connect() -> None:
    for model in (get_image_model(), get_document_model()):
        uid = f"plaza-files-{model._meta.label_lower}"
        pre_save.connect(randomise_upload, sender=model, dispatch_uid=uid)
        post_save.connect(record_original, sender=model, dispatch_uid=uid)
        post_delete.connect(forget_original, sender=model, dispatch_uid=uid)
