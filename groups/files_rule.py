"""A working group's files follow its content: the rule files.policy asks (via the
`plaza_collection_rules` hook in wagtail_hooks.py)."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from wagtail.models import Collection

from . import permissions as perms
from .models import WorkingGroup


class GroupFilesRule:
    """Files in a group's collection: readable by whoever may read the group's content."""

    def governed(self, collection_ids: list[int]) -> dict[int, WorkingGroup]:
        groups = WorkingGroup.objects.filter(collection_id__in=collection_ids)
        return {group.collection_id: group for group in groups}

    def can_read(self, user, owner: WorkingGroup) -> bool:
        return perms.can_read_content(user, owner)

    def hidden_collections(self, user) -> QuerySet[Collection]:
        readable = perms.readable_groups(user).values("pk")
        return Collection.objects.filter(working_group__isnull=False).exclude(
            working_group__in=readable
        )

    def readers(self, owner: WorkingGroup) -> QuerySet | None:
        if perms.can_read_content(AnonymousUser(), owner):
            return None  # everyone, visitors included
        return perms.group_readers(owner)


# Wagtail's stored rich text: <a linktype="document" id="5"> and
# <embed embedtype="image" id="3" .../>, attributes in any order.
_TAG = re.compile(r"<(a|embed)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def _linked_ids(html: str, *, tag: str, attribute: str, kind: str) -> set[int]:
    ids = set()
    for name, body in _TAG.findall(html):
        attributes = dict(_ATTRIBUTE.findall(body))
        if name == tag and attributes.get(attribute) == kind and attributes.get("id", "").isdigit():
            ids.add(int(attributes["id"]))
    return ids


def public_files_in_members_note(page) -> list[str]:
    """Titles of the documents and images that the page's members-only note links but
    that anyone may open (they are not in a collection only the group's readers read).
    Empty for a public group, whose note is as public as its files."""
    from django.contrib.auth.models import AnonymousUser
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from files.policy import user_can_read

    group = page.group
    if perms.can_read_content(AnonymousUser(), group):
        return []
    html = str(page.members_note or "")
    found = []
    for model, tag, attribute, kind in (
        (get_document_model(), "a", "linktype", "document"),
        (get_image_model(), "embed", "embedtype", "image"),
    ):
        ids = _linked_ids(html, tag=tag, attribute=attribute, kind=kind)
        for item in model.objects.filter(pk__in=ids).select_related("collection"):
            if user_can_read(AnonymousUser(), item):
                found.append(item.title)
    return sorted(found)
