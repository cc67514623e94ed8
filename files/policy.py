"""Who may read an uploaded image or document: the policy of what it belongs to.

A file belongs to its Wagtail collection. Apps that own collections (groups: one private
collection per working group) register a `CollectionRule` with the hook
`plaza_collection_rules`; a file is readable when every rule governing its collection or
an ancestor says so, and Wagtail's own collection privacy settings (login, groups,
password) accept the request. A collection nobody governs is public.

The three forms of the question come from that one rule, like Wagtail's permission
policies: `user_can_read(user, obj)`, `readable(user, queryset)` and `readers(obj)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from wagtail import hooks
from wagtail.models import Collection, CollectionViewRestriction


class CollectionRule(Protocol):
    """One app's answer for the collections it owns (registered via the hook)."""

    def governed(self, collection_ids: list[int]) -> dict[int, Any]:
        """Of these collections, those this rule owns: collection id → its owner object."""

    def can_read(self, user, owner: Any) -> bool:
        """May `user` read files of `owner`'s collection?"""

    def hidden_collections(self, user) -> QuerySet[Collection]:
        """The owned collections `user` may not read (one query, for querysets)."""

    def readers(self, owner: Any) -> QuerySet | None:
        """Who may read `owner`'s files (None: everyone)."""


def rules() -> list[CollectionRule]:
    return [hook() for hook in hooks.get_hooks("plaza_collection_rules")]


def _collection_of(obj) -> Collection:
    if isinstance(obj, Collection):
        return obj
    image = getattr(obj, "image", None)  # a rendition reads as its image
    return (image or obj).collection


def _chain(collection: Collection) -> list[int]:
    """The collection and its ancestors (one query; treebeard paths hold the ancestry)."""
    step = Collection.steplen
    prefixes = [collection.path[:i] for i in range(step, len(collection.path) + 1, step)]
    return list(Collection.objects.filter(path__in=prefixes).values_list("pk", flat=True))


@dataclass(frozen=True)
class Access:
    """What a request may do with a file: read it, and whether anyone may (cacheable)."""

    readable: bool
    public: bool


def access(user, obj, *, request=None) -> Access:
    """The answer for one image, rendition, document or collection."""
    chain = _chain(_collection_of(obj))
    public = True
    for rule in rules():
        for owner in rule.governed(chain).values():
            if rule.readers(owner) is not None:
                public = False
            if not rule.can_read(user, owner):
                return Access(readable=False, public=False)
    restrictions = list(CollectionViewRestriction.objects.filter(collection__in=chain))
    if restrictions:
        public = False
        if request is None or not all(r.accept_request(request) for r in restrictions):
            return Access(readable=False, public=False)
    return Access(readable=True, public=public)


def user_can_read(user, obj, *, request=None) -> bool:
    """May `user` read this image, rendition, document or collection's files?"""
    return access(user, obj, request=request).readable


def hidden_collections(user) -> QuerySet[Collection]:
    """Collections whose files `user` may not read: every rule's, and their descendants."""
    hidden = Q(pk__in=[])
    for rule in rules():
        hidden |= Q(pk__in=rule.hidden_collections(user).values("pk"))
    roots = Collection.objects.filter(hidden).filter(StartsWith(OuterRef("path"), F("path")))
    return Collection.objects.filter(Exists(roots))


def readable(user, queryset: QuerySet) -> QuerySet:
    """Of `queryset` (images or documents), those `user` may read by the rules."""
    return queryset.exclude(collection__in=hidden_collections(user))


def readers(obj) -> QuerySet | None:
    """Who may read this file by the rules (None: everyone)."""
    chain = _chain(_collection_of(obj))
    users = None
    for rule in rules():
        for owner in rule.governed(chain).values():
            found = rule.readers(owner)
            if found is not None:
                users = found if users is None else users & found
    return users
