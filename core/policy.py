"""One rule, three answers: permission policies in the shape of Wagtail's.

Wagtail's `BasePermissionPolicy` answers every question in three forms:
`user_has_permission_for_instance`, `instances_user_has_permission_for` and
`users_with_permission_for_instance`. Written as three functions, the forms drift apart
(issue 13 found lists, search and notifications disagreeing with the pages). Here a rule
is written once, as a small tree of `Rule`s, and each form is a reading of that tree:

- `holds(user, obj)` → bool, short-circuiting in the order the rule is written (put the
  cheap, common cases first: a public group needs no membership query);
- `objects(user)` → True, False or a `Q` over the policy's model (one query for a list);
- `users(obj)` → True, False or a `Q` over the user model (who would be told).

True and False stand for "everything" and "nothing", so `SiteAdmin() | ...` costs an
admin no WHERE clause and an anonymous visitor no membership subquery.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

Answer = bool | Q


def signed_in(user) -> bool:
    """An active, authenticated account (inactive accounts count as visitors)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def _any(values: list[Answer]) -> Answer:
    out: Answer = False
    for v in values:
        if v is True:
            return True
        if v is not False:
            out = v if out is False else out | v
    return out


def _all(values: list[Answer]) -> Answer:
    out: Answer = True
    for v in values:
        if v is False:
            return False
        if v is not True:
            out = v if out is True else out & v
    return out


class Rule:
    """A condition on (user, object); combine with `|` and `&`."""

    def holds(self, user, obj) -> bool:
        raise NotImplementedError

    def objects(self, user) -> Answer:
        raise NotImplementedError

    def users(self, obj) -> Answer:
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        return AnyOf(self, other)

    def __and__(self, other: Rule) -> Rule:
        return AllOf(self, other)


class AnyOf(Rule):
    """Holds when one of its rules does (evaluated in order, stopping at the first)."""

    def __init__(self, *rules: Rule):
        self.rules = [
            r for rule in rules for r in (rule.rules if isinstance(rule, AnyOf) else [rule])
        ]

    def holds(self, user, obj) -> bool:
        return any(rule.holds(user, obj) for rule in self.rules)

    def objects(self, user) -> Answer:
        return _any([rule.objects(user) for rule in self.rules])

    def users(self, obj) -> Answer:
        return _any([rule.users(obj) for rule in self.rules])


class AllOf(Rule):
    """Holds when all of its rules do (evaluated in order, stopping at the first miss)."""

    def __init__(self, *rules: Rule):
        self.rules = [
            r for rule in rules for r in (rule.rules if isinstance(rule, AllOf) else [rule])
        ]

    def holds(self, user, obj) -> bool:
        return all(rule.holds(user, obj) for rule in self.rules)

    def objects(self, user) -> Answer:
        return _all([rule.objects(user) for rule in self.rules])

    def users(self, obj) -> Answer:
        return _all([rule.users(obj) for rule in self.rules])


class SiteAdmin(Rule):
    """The user is a site administrator (superuser)."""

    def holds(self, user, obj) -> bool:
        return signed_in(user) and user.is_superuser

    def objects(self, user) -> Answer:
        return self.holds(user, None)

    def users(self, obj) -> Answer:
        return Q(is_superuser=True)


class SignedIn(Rule):
    """Any active account."""

    def holds(self, user, obj) -> bool:
        return signed_in(user)

    def objects(self, user) -> Answer:
        return signed_in(user)

    def users(self, obj) -> Answer:
        return True


def _value(obj, path: str):
    """`obj.a.b` for the lookup path "a__b" (None once a step is None)."""
    for step in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, step)
    return obj


class FieldIn(Rule):
    """The object's field (or a related one: "thread__status") has one of these values;
    nothing about the user."""

    def __init__(self, field: str, values):
        self.field, self.values = field, tuple(values)

    def holds(self, user, obj) -> bool:
        return _value(obj, self.field) in self.values

    def objects(self, user) -> Answer:
        return Q(**{f"{self.field}__in": self.values})

    def users(self, obj) -> Answer:
        return self.holds(None, obj)


class FieldIsNull(Rule):
    """The object's field is empty (e.g. not deleted: `FieldIsNull("deleted_at")`)."""

    def __init__(self, field: str):
        self.field = field

    def holds(self, user, obj) -> bool:
        return _value(obj, self.field) is None

    def objects(self, user) -> Answer:
        return Q(**{f"{self.field}__isnull": True})

    def users(self, obj) -> Answer:
        return self.holds(None, obj)


class IsUser(Rule):
    """The object's foreign key to a user points at this user (its author, its owner)."""

    def __init__(self, field: str):
        self.field = field

    def holds(self, user, obj) -> bool:
        return signed_in(user) and getattr(obj, f"{self.field}_id") == user.pk

    def objects(self, user) -> Answer:
        return Q(**{self.field: user}) if signed_in(user) else False

    def users(self, obj) -> Answer:
        pk = getattr(obj, f"{self.field}_id")
        return Q(pk=pk) if pk is not None else False


class Through(Rule):
    """Another policy's answer for a related object: `Through("group", groups, "read")`."""

    def __init__(self, field: str, policy: Policy, action: str):
        self.field, self.policy, self.action = field, policy, action

    def holds(self, user, obj) -> bool:
        related = getattr(obj, self.field)
        return related is not None and self.policy.user_has_permission_for_instance(
            user, self.action, related
        )

    def objects(self, user) -> Answer:
        inner = self.policy.rule(self.action).objects(user)
        if isinstance(inner, bool):
            return inner
        return Q(**{f"{self.field}__in": self.policy.model.objects.filter(inner).values("pk")})

    def users(self, obj) -> Answer:
        related = getattr(obj, self.field)
        return False if related is None else self.policy.rule(self.action).users(related)


class Policy:
    """The rules of one entity, each answering the three questions.

    Subclasses set `model` and `rules` (action name → Rule). The methods are Wagtail's
    names, so a reader who knows `wagtail.permission_policies` knows these.
    """

    model: type[Model]
    rules: dict[str, Rule]

    def rule(self, action: str) -> Rule:
        try:
            return self.rules[action]
        except KeyError:
            raise ValueError(f"{type(self).__name__} has no action {action!r}") from None

    def user_has_permission_for_instance(self, user, action: str, instance: Any) -> bool:
        """May `user` do `action` to `instance`?"""
        return self.rule(action).holds(user, instance)

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet:
        """Every instance `user` may do `action` to (one query)."""
        return filtered(self.base_queryset(), self.rule(action).objects(user))

    def users_with_permission_for_instance(self, action: str, instance: Any) -> QuerySet:
        """Every active account that may do `action` to `instance` (one query)."""
        users = get_user_model().objects.filter(is_active=True)
        return filtered(users, self.rule(action).users(instance))

    def base_queryset(self) -> QuerySet:
        return self.model._default_manager.all()


def filtered(qs: QuerySet, answer: Answer) -> QuerySet:
    """Apply a rule's answer to a queryset."""
    if answer is True:
        return qs
    if answer is False:
        return qs.none()
    return qs.filter(answer)
