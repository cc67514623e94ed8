"""Models of the shared plumbing."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """One create a member has already made with a form's `idempotency_key`.

    A form carries a random key made when it is rendered. The first submit claims
    (user, scope, key) in the same transaction as the object it creates and records which
    object that was (`result_ref`, "app_label.Model:pk"); a retried or doubled submit with
    the same key finds the row and gets the first object back instead of a second one. The
    unique constraint makes a concurrent double submit wait for the first and then replay it.

    Data map: points to a user. Deleting (erasing) the user deletes their keys (CASCADE). Not
    part of a member's data export: a technical record with no content of theirs, kept about
    a day (see `core.idempotency.prune`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=64)
    result_ref = models.CharField(max_length=120, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="core_idempotency_once")
        ]
        indexes = [models.Index(fields=["created"], name="core_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
