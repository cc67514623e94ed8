"""Keeping the search index in step when what may be shown changes.

modelsearch (Wagtail's search) updates an object's entry when it is saved, but only adds:
an object that left its model's `get_indexed_objects()` (an event turned members-only, a
group turned secret) kept its old entry. `index_sync` queues, after commit, the task that
adds what belongs in the index and removes what no longer does — on the same django-tasks
path as modelsearch's own updates. Search surfaces still filter by permission at query
time (cms.views.search, discussions.selectors.search): a stale entry never shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save
from django_tasks import task
from modelsearch import index


@task()
def index_sync_task(app_label: str, model_name: str, pks: list[str]) -> None:
    """Add the objects their model indexes; remove the others' entries."""
    model = apps.get_model(app_label, model_name)
    indexed = {
        str(pk)
        for pk in model.get_indexed_objects().filter(pk__in=pks).values_list("pk", flat=True)
    }
    for obj in model._default_manager.filter(pk__in=pks):
        if str(obj.pk) in indexed:
            index.insert_or_update_object(obj)
        else:
            index.remove_object(obj)


def index_sync(model, pks: Iterable) -> None:
    """After commit, bring these objects' search entries in step (one task per call)."""
    pks = [str(pk) for pk in pks]
    if not pks:
        return
    label, name = model._meta.app_label, model._meta.model_name
    transaction.on_commit(lambda: index_sync_task.enqueue(label, name, pks))


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        index_sync(sender, [instance.pk])


def keep_in_step(*models) -> None:
    """Sync these models' entries on every save (models whose indexed set can shrink)."""
    for model in models:
        post_save.connect(
            _saved, sender=model, dispatch_uid=f"plaza-index-sync-{model._meta.label_lower}"
        )
