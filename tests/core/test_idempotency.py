"""core.idempotency: a create service called twice with one key stores one object, also
when the two calls run at once (real threads, real connections, on SQLite and PostgreSQL)."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core import idempotency
from core.models import IdempotencyKey
from discussions import services
from discussions.models import Post, Thread
from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10_000


@pytest.fixture
def world(db):
    group = GroupFactory()
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    return {"group": group, "member": member, "thread": ThreadFactory(group=group)}


def _reply(world, key, *, author=None, body="Hello"):
    return services.post_reply(
        thread=world["thread"],
        parent=None,
        author=author or world["member"],
        body=body,
        language="en",
        idempotency_key=key,
    )


def test_the_same_key_twice_returns_the_first_reply(world):
    first = _reply(world, KEY)
    again = _reply(world, KEY, body="Hello (sent again, even edited)")
    assert again.pk == first.pk
    assert Post.objects.filter(thread=world["thread"], depth=1).count() == 1
    row = IdempotencyKey.objects.get(key=KEY)
    assert row.user == world["member"] and row.result_ref == f"discussions.Post:{first.pk}"
    assert row.scope == "discussions.services.post_reply"


def test_keys_are_per_member_and_per_scope(world):
    other = UserFactory()
    MembershipFactory(group=world["group"], user=other)
    mine, theirs = _reply(world, KEY), _reply(world, KEY, author=other)
    assert mine.pk != theirs.pk and theirs.author == other
    thread = services.thread_start(
        group=world["group"],
        author=world["member"],
        title="Same key, other form",
        body="A new thread",
        language="en",
        idempotency_key=KEY,
    )
    assert isinstance(thread, Thread) and thread.title == "Same key, other form"
    assert IdempotencyKey.objects.filter(key=KEY).count() == 3


def test_without_a_key_every_submit_creates(world):
    """A form rendered before keys existed (an old open tab) posts as it always did."""
    assert _reply(world, None).pk != _reply(world, "").pk


def test_a_refused_submit_claims_nothing(world):
    with pytest.raises(ValidationError):
        _reply(world, KEY, body="   ")
    assert not IdempotencyKey.objects.exists()
    assert _reply(world, KEY, body="Now with words").body == "Now with words"


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space inside 12345", "nul\x00" * 5])
def test_a_malformed_key_is_refused_and_stores_nothing(world, bad):
    with pytest.raises(ValidationError) as caught:
        _reply(world, bad)
    assert caught.value.code == "idempotency_key"
    assert not Post.objects.filter(depth=1).exists() and not IdempotencyKey.objects.exists()


def test_a_replay_of_something_deleted_since_is_a_clear_refusal(world):
    thread = services.thread_start(
        group=world["group"],
        author=world["member"],
        title="Gone soon",
        body="x",
        idempotency_key=KEY,
    )
    Thread.objects.filter(pk=thread.pk).delete()
    with pytest.raises(ValidationError) as caught:
        services.thread_start(
            group=world["group"],
            author=world["member"],
            title="Gone soon",
            body="x",
            idempotency_key=KEY,
        )
    assert caught.value.code == "already_sent"


def test_old_keys_are_pruned(world):
    _reply(world, KEY)
    IdempotencyKey.objects.update(created=timezone.now() - timedelta(days=2))
    other = UserFactory()
    MembershipFactory(group=world["group"], user=other)
    _reply(world, "f" * 32, author=other)
    assert IdempotencyKey.objects.filter(user=world["member"]).count() == 1  # not theirs
    _reply(world, "e" * 32)  # the member's next claim clears their own old keys
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"f" * 32, "e" * 32}
    IdempotencyKey.objects.update(created=timezone.now() - timedelta(days=2))
    assert idempotency.prune() == 2 and not IdempotencyKey.objects.exists()


def test_the_service_signature_shows_the_key():
    import inspect

    parameter = inspect.signature(services.post_reply).parameters["idempotency_key"]
    assert parameter.kind is parameter.KEYWORD_ONLY and parameter.default is None


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_submit_waits_for_the_first_and_replays_it():
    """The second submit starts while the first's transaction, key claimed and reply
    written, is still open: it waits on the key (PostgreSQL: the unique index; SQLite: the
    write lock), then answers with the first reply. One post is stored."""
    group = GroupFactory()
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    world = {"group": group, "member": member, "thread": ThreadFactory(group=group)}
    claimed, results, errors = threading.Event(), {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = _reply(world, KEY, body="First")
                claimed.set()
                time.sleep(0.6)  # hold the transaction open while the second arrives
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            claimed.set()
        finally:
            connection.close()

    def second():
        try:
            claimed.wait(10)
            started = time.monotonic()
            results["second"] = _reply(world, KEY, body="Second")
            results["waited"] = time.monotonic() - started
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert results["second"].pk == results["first"].pk
    assert results["waited"] > 0.3  # it really ran while the first was uncommitted
    replies = Post.objects.filter(thread=world["thread"], depth=1)
    assert list(replies.values_list("body", flat=True)) == ["First"]
    assert IdempotencyKey.objects.count() == 1
