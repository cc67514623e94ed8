"""A working group's files follow its content: the rule files.policy asks (via the
`plaza_collection_rules` hook in wagtail_hooks.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from wagtail.models import Collection

from . import permissions as perms
from .models import Membership, WorkingGroup


class GroupFilesRule:
    """Files in a group's collection: readable by whoever may read the group's content."""

    def governed(self, collection_ids: list[int]) -> dict[int, WorkingGroup]:
        groups = WorkingGroup.objects.filter(collection_id__in=collection_ids)
        return {group.collection_id: group for group in groups}

    def can_read(self, user, owner: WorkingGroup) -> bool:
        return perms.can_read_content(user, owner)

    def hidden_collections(self, user) -> QuerySet[Collection]:
        readable = perms.readable_groups(user).values("pk")
        hidden = Collection.objects.filter(working_group__isnull=False).exclude(
            working_group__in=readable
        )
        if user is not None and user.is_authenticated:
            # readable_groups leaves out groups read through a partner association.
            moderated = perms.moderated_groups_with_partners(user).values("pk")
            hidden = hidden.exclude(working_group__in=moderated)
        return hidden

    def readers(self, owner: WorkingGroup) -> QuerySet | None:
        if owner.visibility == WorkingGroup.Visibility.PUBLIC:
            return None
        members = Membership.objects.filter(group=owner).values("user_id")
        return get_user_model().objects.filter(
            Q(pk__in=members) | Q(is_superuser=True), is_active=True
        )
