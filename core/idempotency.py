"""Idempotent creates: a retried or doubled submit of a create form stores one object.

Every create form carries a hidden `idempotency_key` (a uuid4 hex made when the form is
rendered: `{% load core_forms %}{% idempotency_field %}`). The create service is wrapped
in `@idempotent(user="<actor keyword>")`, which gives it an `idempotency_key` keyword and,
in ONE transaction with the service's own writes:

1. claims (user, scope, key) by inserting an `IdempotencyKey` row (unique);
2. runs the service and records which object it created on that row.

A second submit with the same key hits the unique constraint and gets the first object
back: the view answers exactly as it did the first time (the same redirect, the same JSON).
Two submits at once: on PostgreSQL the second INSERT waits on the first's uncommitted row,
then fails and replays; on SQLite writers are serialised (BEGIN IMMEDIATE) to the same
effect. A service that refuses (ValidationError, PermissionDenied, a rate limit) rolls the
claim back with everything else, so the member can correct the form and send it again
with the same key.

A submit without a key (a page rendered before keys existed, an API client) creates as
before. A malformed key is refused with a translated 400, never stored. The scope is the
service's dotted name, so one key can never replay another kind of object, and keys are
per user, so nobody can replay someone else's.

Old keys are pruned opportunistically: each claim first deletes the same member's keys
older than `KEEP` (one indexed DELETE); `prune()` clears everyone's for a periodic job.
"""

from __future__ import annotations

import functools
import inspect
import re
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FIELD = "idempotency_key"
KEEP = timedelta(days=1)
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}\Z")


def new_key() -> str:
    """A fresh key for a form being rendered."""
    return uuid.uuid4().hex


def clean_key(value: object) -> str | None:
    """The key as sent: None when absent or blank; ValidationError when malformed (16 to 64
    letters, digits, '-' or '_'; a uuid4 hex is 32)."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if not _KEY.match(value):
        raise ValidationError(
            _("This form is out of date. Please reload the page and send it again."),
            code="idempotency_key",
        )
    return value


def key_from(data) -> str | None:
    """The key a POST carries (raw: the service cleans it), e.g. `key_from(request.POST)`."""
    return data.get(FIELD) if data is not None else None


def _ref(obj) -> str:
    return f"{obj._meta.label}:{obj.pk}"


def _load(ref: str):
    label, _sep, pk = ref.rpartition(":")
    if not label:
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=pk).first()


def _claim(*, user, scope: str, key: str) -> str | None:
    """Claim the key in the caller's transaction: None when it is ours now, else the
    reference of the object an earlier submit created ("" when it left none)."""
    from .models import IdempotencyKey

    now = timezone.now()
    # Prune first, while this transaction holds no other lock (no lock-order surprises).
    IdempotencyKey.objects.filter(user=user, created__lt=now - KEEP).delete()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, scope=scope, key=key, created=now)
        return None
    except IntegrityError:
        found = (
            IdempotencyKey.objects.filter(user=user, scope=scope, key=key)
            .values_list("result_ref", flat=True)
            .first()
        )
        return found or ""


def _record(*, user, scope: str, key: str, result) -> None:
    from .models import IdempotencyKey

    IdempotencyKey.objects.filter(user=user, scope=scope, key=key).update(result_ref=_ref(result))


def idempotent(*, user: str, scope: str | None = None) -> Callable:
    """Decorate a keyword-only create service that returns the created model instance.

    `user` names the keyword that carries the acting member (author, by, user, ...). The
    service gains `idempotency_key: str | None = None`; without a key, or for an anonymous
    actor (the service refuses those itself), it runs as before. `scope` defaults to the
    service's public dotted name (`discussions.services.post_reply`, whichever module of
    the services package holds it), so keys stored before a module moves still match.
    """

    def decorate(service: Callable) -> Callable:
        module = service.__module__
        if ".services." in module:
            module = module.split(".services.", 1)[0] + ".services"
        name = scope or f"{module}.{service.__qualname__}"

        @functools.wraps(service)
        def wrapper(*args, idempotency_key: str | None = None, **kwargs):
            key = clean_key(idempotency_key)
            actor = kwargs.get(user)
            if key is None or actor is None or not getattr(actor, "is_authenticated", False):
                return service(*args, **kwargs)
            with transaction.atomic():
                earlier = _claim(user=actor, scope=name, key=key)
                if earlier is None:
                    result = service(*args, **kwargs)
                    _record(user=actor, scope=name, key=key, result=result)
                    return result
                found = _load(earlier) if earlier else None
                if found is None:  # created, then deleted (or a scope that stores nothing)
                    raise ValidationError(
                        _("This form was already sent. Please reload the page."),
                        code="already_sent",
                    )
                return found

        signature = inspect.signature(service)
        extra = inspect.Parameter(
            FIELD, inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None"
        )
        params = list(signature.parameters.values())
        at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
        wrapper.__signature__ = signature.replace(parameters=[*params[:at], extra, *params[at:]])
        wrapper.idempotency_scope = name
        return wrapper

    return decorate


def prune(*, older_than: timedelta = KEEP) -> int:
    """Delete everyone's keys older than `older_than` (a periodic job may call it); returns
    how many went. Claims already prune their own member's old keys."""
    from .models import IdempotencyKey

    deleted, _details = IdempotencyKey.objects.filter(
        created__lt=timezone.now() - older_than
    ).delete()
    return deleted
