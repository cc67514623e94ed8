"""Reading stored files: what a media path is, and the names files were uploaded under."""

from __future__ import annotations

import os

from wagtail.images import get_image_model

from .models import StoredFile


def original_name(field_file) -> str:
    """The name the file was uploaded under (its storage name for files stored before)."""
    found = StoredFile.objects.filter(path=field_file.name).values_list("original_name", flat=True)
    return next(iter(found), None) or os.path.basename(field_file.name)


def media_item(path: str):
    """(the image or rendition stored at `path` under MEDIA_ROOT, its file), or None.

    Only images have a media path; documents are reached through their serve view.
    """
    image_model = get_image_model()
    folder = path.split("/", 1)[0]
    if folder == "original_images":
        image = image_model.objects.select_related("collection").filter(file=path).first()
        return (image, image.file) if image else None
    if folder == "images":
        rendition = (
            image_model.get_rendition_model()
            .objects.select_related("image__collection")
            .filter(file=path)
            .first()
        )
        return (rendition.image, rendition.file) if rendition else None
    return None
