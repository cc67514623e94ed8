"""Working groups themselves: creation, settings, files collection, activity, the page tree."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Collection

from core.concurrency import check_version
from core.search import index_sync

from .. import permissions as perms
from .. import signals
from ..models import (
    GroupIndexPage,
    GroupPage,
    Membership,
    WorkingGroup,
)
from ._common import SETTINGS_FIELDS, Action, Role, _emit, _locked_group, _log, _recount

# --- groups ---------------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    name: str,
    slug: str,
    kind: str,
    visibility: str,
    join_policy: str,
    owner,
    parent_page: GroupIndexPage | None = None,
    topic: str = "",
    region: str = "",
    languages: Iterable[str] = ("en",),
    purpose: str = "",
    charter: str = "",
    members_note: str = "",
    by=None,
) -> WorkingGroup:
    """Create a working group with `owner` as its first owner (and its page under
    `parent_page`, in that page's locale, when given).

    `by` (when given) must be allowed to create groups; seed code and tests pass None.
    """
    if by is not None and not perms.can_create_group(by):
        raise PermissionDenied(_("Only site administrators can create working groups."))
    group = WorkingGroup(
        name=name.strip(),
        slug=slug,
        kind=kind,
        visibility=visibility,
        join_policy=join_policy,
        topic=topic,
        region=region,
        languages=WorkingGroup.encode_languages(languages),
    )
    group.full_clean()
    group.save()
    group_collection_ensure(group=group)
    Membership.objects.create(group=group, user=owner, role=Role.OWNER)
    _recount(group)
    _log(group=group, actor=by or owner, action=Action.ADDED, subject=owner, detail=Role.OWNER)
    if parent_page is not None:
        page = GroupPage(
            title=group.name,
            slug=slug,
            group=group,
            purpose=purpose,
            charter=charter,
            members_note=members_note,
            locale=parent_page.locale,
        )
        parent_page.add_child(instance=page)
        page.save_revision().publish()
    perms.forget(owner)
    _emit(
        signals.member_joined,
        group=group,
        group_id=group.pk,
        user=owner,
        user_id=owner.pk,
        membership=None,
        role=Role.OWNER,
        via="added",
    )
    return group


@transaction.atomic
def group_update_settings(
    *, group: WorkingGroup, by, expected_version: int | None = None, **changes: object
) -> WorkingGroup:
    """Change a group's name, kind, visibility, join policy, topic, region or languages.

    Owners and site admins only. Becoming secret removes the group's pages from the
    search index; leaving secret puts them back. `expected_version` is the group's version
    when the settings form was loaded: if another save came in since, EditConflict carries
    the saved settings and nothing changes (None skips the check). Each change bumps it.
    """
    perms.check_can_manage(by, group)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not group settings: {sorted(unknown)}")
    group = _locked_group(group)
    saved = {field: getattr(group, field) for field in SETTINGS_FIELDS}
    saved["languages"] = group.language_list
    if "languages" in changes and not isinstance(changes["languages"], str):
        changes["languages"] = WorkingGroup.encode_languages(changes["languages"])
    before = {field: getattr(group, field) for field in changes}
    for field, value in changes.items():
        setattr(group, field, value)
    group.full_clean()
    changed = [f for f in changes if before[f] != getattr(group, f)]
    if not changed:
        return group
    # The row is locked: no other save can come between this check and ours.
    check_version(expected=expected_version, current=group.version, saved=saved)
    group.version += 1
    group.save(update_fields=[*changed, "version"])
    _log(
        group=group,
        actor=by,
        action=Action.SETTINGS_CHANGED,
        detail=", ".join(f"{f}: {before[f]} → {getattr(group, f)}" for f in changed),
    )
    if "name" in changed and group.collection_id:
        Collection.objects.filter(pk=group.collection_id).update(name=group.name[:255])
    if "visibility" in changed:
        # Other apps bring their own entries in step from group_settings_changed.
        index_sync(GroupPage, GroupPage.objects.filter(group=group).values_list("pk", flat=True))
    _emit(
        signals.group_settings_changed,
        group=group,
        group_id=group.pk,
        changed=changed,
        by=by,
        by_id=getattr(by, "pk", None),
    )
    return group


GROUP_COLLECTIONS = "Working groups"


@transaction.atomic
def group_collection_ensure(*, group: WorkingGroup) -> Collection:
    """The group's own files collection (under "Working groups"), made on first need.

    Files in it are readable by whoever may read the group's content (files.policy via
    groups.files_rule); the editor links meeting minutes from the members' note to it.
    """
    if group.collection_id:
        return group.collection
    locked = _locked_group(group)
    if locked.collection_id:
        group.collection = locked.collection
        return group.collection
    sibling = Collection.objects.filter(working_group__isnull=False).first()
    parent = sibling.get_parent() if sibling else None
    if parent is None:
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        parent = root.get_children().filter(name=GROUP_COLLECTIONS).first()
        parent = parent or root.add_child(name=GROUP_COLLECTIONS)
    collection = parent.add_child(name=group.name[:255])
    WorkingGroup.objects.filter(pk=group.pk).update(collection=collection)
    group.collection = collection
    return collection


@transaction.atomic
def group_touch_activity(*, group: WorkingGroup, at: datetime | None = None) -> None:
    """Record activity (a new thread or post); other apps call this when content changes."""
    at = at or timezone.now()
    WorkingGroup.objects.filter(pk=group.pk).filter(
        Q(last_activity_at__lt=at) | Q(last_activity_at__isnull=True)
    ).update(last_activity_at=at)
    if group.last_activity_at is None or group.last_activity_at < at:
        group.last_activity_at = at


# --- page tree ------------------------------------------------------------------------


@transaction.atomic
def group_index_ensure(
    *, language: str | None = None, title: str = "Working groups", intro: str = ""
) -> GroupIndexPage:
    """The group directory page under the home page (English first, then `language`'s
    translation when asked). Idempotent; used by seed_demo and tests."""
    from core.pages import home_page, page_translation_ensure

    home = home_page()
    index = GroupIndexPage.objects.filter(locale=home.locale).first()
    if index is None:
        index = home.add_child(
            instance=GroupIndexPage(title=title, slug="groups", intro=intro, show_in_menus=True)
        )
        index.save_revision().publish()
    if language and language != home.locale.language_code:
        page_translation_ensure(page=home, language=language)  # the translated parent
        return page_translation_ensure(page=index, language=language, title=title, intro=intro)
    return index
