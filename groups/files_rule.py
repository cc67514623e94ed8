"""A working group's files follow its content: the rule files.policy asks (via the
`plaza_collection_rules` hook in wagtail_hooks.py)."""

from __future__ import annotations

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
