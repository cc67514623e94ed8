"""The live channel at /ws/inbox/: authentication and origin, live pushes, the replay that
makes a dropped connection lose nothing, and a channel layer outage that loses nothing."""

import logging
import os

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from config.asgi import application
from inbox.models import Notification
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory

REDIS_URL = os.environ.get("REDIS_URL", "")
DEAD_REDIS = "redis://127.0.0.1:6390/0"
ORIGIN = (b"origin", b"http://testserver")


def session_cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def connect(user) -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie_for)(user)
    communicator = WebsocketCommunicator(
        application, "/ws/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    hello = await communicator.receive_json_from(timeout=10)
    assert hello["type"] == "hello" and hello["user"] == user.pk
    assert {"cursor", "heartbeat", "unread"} <= set(hello)
    return communicator


async def replay(communicator, after: int) -> tuple[list[dict], dict]:
    """Send the replay request; return (the notifications, the closing unread message)."""
    await communicator.send_json_to({"type": "replay", "after": after})
    items = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "unread":
            return items, message
        items.append(message)


def a_thread_with_members(n_others: int = 1):
    group = GroupFactory()
    owner = UserFactory()
    MembershipFactory(group=group, user=owner)
    others = [MembershipFactory(group=group).user for _ in range(n_others)]
    thread = ThreadFactory(group=group, author=owner, title="Cycle lanes")
    return owner, others, thread


@pytest.mark.django_db(transaction=True)
async def test_logged_in_member_connects_through_the_real_asgi_app():
    user = await sync_to_async(UserFactory)()
    communicator = await connect(user)
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_foreign_origin_is_refused():
    user = await sync_to_async(UserFactory)()
    cookie = await sync_to_async(session_cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        "/ws/inbox/",
        headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_anonymous_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/inbox/", headers=[ORIGIN])
    connected, code = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_a_reply_arrives_live_with_the_unread_count():
    owner, (other,), thread = await sync_to_async(a_thread_with_members)()
    bystander = await sync_to_async(MembershipFactory)(group=thread.group)
    communicator = await connect(owner)
    elsewhere = await connect(bystander.user)
    _items, state = await replay(communicator, 0)
    assert state["unread"] == 0
    await sync_to_async(PostFactory)(thread=thread, author=other)
    message = await communicator.receive_json_from(timeout=5)
    note = await sync_to_async(Notification.objects.get)(recipient=owner)
    assert message == {
        "type": "notification",
        "id": note.pk,
        "seq": 1,
        "text": f"{other.public_name} replied to you in “Cycle lanes”.",
        "url": reverse("inbox:open", args=[note.pk]),
        "unread": 1,
    }
    # A member of the same group who is not concerned hears nothing.
    assert await elsewhere.receive_nothing(timeout=0.3)
    await communicator.disconnect()
    await elsewhere.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_replay_after_a_dropped_connection_gives_exactly_the_missed_five():
    owner, others, thread = await sync_to_async(a_thread_with_members)(5)
    await sync_to_async(PostFactory)(thread=thread, author=others[0])
    communicator = await connect(owner)
    seen, state = await replay(communicator, 0)
    assert [m["seq"] for m in seen] == [1] and state["cursor"] == 1
    await communicator.disconnect()
    for other in others:  # five notifications while offline
        await sync_to_async(PostFactory)(thread=thread, author=other)
    communicator = await connect(owner)
    items, state = await replay(communicator, state["cursor"])
    expected = await sync_to_async(
        lambda: list(
            Notification.objects.filter(recipient=owner, seq__gt=1)
            .order_by("seq")
            .values_list("id", "seq")
        )
    )()
    assert [seq for _id, seq in expected] == [2, 3, 4, 5, 6]  # gapless, per recipient
    assert [(m["id"], m["seq"]) for m in items] == expected
    assert all(m["replayed"] for m in items)
    assert state == {"type": "unread", "unread": 6, "cursor": 6, "more": False}
    # Asking again from the cursor: nothing twice.
    again, _ = await replay(communicator, 6)
    assert again == []
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_long_absence_replays_in_rounds_and_misses_nothing(monkeypatch):
    """More than a round's worth: each round says `more` and where to go on from."""
    from inbox import selectors

    monkeypatch.setattr(selectors, "REPLAY_LIMIT", 2)
    owner, others, thread = await sync_to_async(a_thread_with_members)(5)
    for other in others:
        await sync_to_async(PostFactory)(thread=thread, author=other)
    communicator = await connect(owner)
    got, cursor, rounds = [], 0, 0
    first, state = await replay(communicator, 0)  # a first visit: the unread, newest two
    assert [m["seq"] for m in first] == [4, 5] and state["cursor"] == 5
    cursor = 1  # as if the client had seen only the first one
    while True:
        items, state = await replay(communicator, cursor)
        rounds += 1
        got += [m["seq"] for m in items]
        cursor = state["cursor"]
        if not state["more"]:
            break
    assert got == [2, 3, 4, 5] and rounds == 2 and cursor == 5
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_withdrawn_notifications_leave_no_hole_in_the_cursor():
    """A notification the member may no longer see is not replayed, but the round's
    cursor still moves past it, so the client does not ask for it for ever."""
    from inbox import services

    owner, others, thread = await sync_to_async(a_thread_with_members)(3)
    for other in others:
        await sync_to_async(PostFactory)(thread=thread, author=other)
    middle = await sync_to_async(lambda: Notification.objects.get(recipient=owner, seq=2))()
    hidden = await sync_to_async(lambda: middle.post_ref)()
    await sync_to_async(services.notifications_withdraw)(post_ref=hidden)
    from discussions.models import Post

    await sync_to_async(lambda: Post.objects.filter(pk=hidden).update(status="hidden"))()
    communicator = await connect(owner)
    items, state = await replay(communicator, 0 + 1)
    assert [m["seq"] for m in items] == [3] and state["cursor"] == 3
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_heartbeat_reports_the_databases_cursor(settings):
    """Every heartbeat tells each socket its member's latest number from the database —
    so a client that missed a push (whatever the channel layer did) sees it is behind."""
    from inbox.models import NotificationCursor

    settings.INBOX_HEARTBEAT_SECONDS = 0.2
    owner, (other,), thread = await sync_to_async(a_thread_with_members)(1)
    communicator = await connect(owner)
    await replay(communicator, 0)
    beat = await communicator.receive_json_from(timeout=5)
    assert beat == {"type": "heartbeat", "cursor": 0}
    # A notification stored without any push (as when Redis dropped it).
    await sync_to_async(
        lambda: NotificationCursor.objects.update_or_create(user=owner, defaults={"last_seq": 1})
    )()
    beat = await communicator.receive_json_from(timeout=5)
    assert beat == {"type": "heartbeat", "cursor": 1}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_new_member_starts_hearing_the_group_without_reconnecting():
    from groups import services as groups

    owner, _others, thread = await sync_to_async(a_thread_with_members)(0)
    newcomer = await sync_to_async(UserFactory)()
    communicator = await connect(newcomer)
    await sync_to_async(groups.group_join)(group=thread.group, user=newcomer)
    from inbox import services

    await sync_to_async(services.watch_set_group)(
        user=newcomer, group=thread.group, level="watching"
    )
    await sync_to_async(PostFactory)(thread=thread, author=owner)
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "notification" and "posted in" in message["text"]
    await communicator.disconnect()


# --- faults: the channel layer is down -----------------------------------------------


def _post_reply_over_http(thread, author) -> int:
    client = Client()
    client.force_login(author)
    response = client.post(
        reverse("discussions:thread_reply", args=[thread.pk]),
        {"body": "Seen from worker A.", "language": "en"},
    )
    return response.status_code


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (the services leg: make test-services)")
@pytest.mark.django_db(transaction=True)
def test_posts_succeed_and_nothing_is_lost_while_redis_is_down(caplog):
    owner, others, thread = a_thread_with_members(3)
    dead = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [DEAD_REDIS]},
        }
    }
    with (
        override_settings(CHANNEL_LAYERS=dead),
        caplog.at_level(logging.WARNING, logger="inbox.realtime"),
    ):
        statuses = [_post_reply_over_http(thread, other) for other in others]
        # A member connecting during the outage is not locked out: the replay works.
        during = async_to_sync(_connect_and_replay)(owner, 0)
    assert statuses == [302, 302, 302]
    assert thread.posts.count() == 4
    stored = list(
        Notification.objects.filter(recipient=owner).order_by("id").values_list("id", flat=True)
    )
    assert len(stored) == 3
    assert "live push failed" in caplog.text
    assert [m["id"] for m in during] == stored
    # Redis is back: a reconnecting client gets them all.
    after = async_to_sync(_connect_and_replay)(owner, 0)
    assert [m["id"] for m in after] == stored


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (the services leg: make test-services)")
@pytest.mark.django_db(transaction=True)
def test_a_flushed_redis_loses_nothing_for_a_reconnecting_client():
    """A Redis restart forgets every group membership: pushes stop reaching the open
    socket, but the client's reconnect replays everything it missed."""
    import redis

    owner, (other,), thread = a_thread_with_members(1)

    async def scenario():
        communicator = await connect(owner)
        _items, state = await replay(communicator, 0)
        # As after a restart without persistence (this test worker's own Redis database).
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        assert await sync_to_async(_post_reply_over_http)(thread, other) == 302
        assert await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return await _connect_and_replay(owner, state["cursor"])

    items = async_to_sync(scenario)()
    stored = list(Notification.objects.filter(recipient=owner).values_list("id", flat=True))
    assert [m["id"] for m in items] == stored and len(stored) == 1


async def _connect_and_replay(user, after: int) -> list[dict]:
    communicator = await connect(user)
    items, _state = await replay(communicator, after)
    await communicator.disconnect()
    return items


@pytest.mark.django_db(transaction=True)
async def test_each_socket_gets_the_event_worded_in_its_members_language(monkeypatch):
    """The hub words an event once per language (consumers.Frames), and hands the loop
    back between sockets (YIELD_EVERY) — every member still gets exactly their entry."""
    from django.utils import translation

    from inbox import consumers, services, texts

    monkeypatch.setattr(consumers, "YIELD_EVERY", 1)
    owner, _others, thread = await sync_to_async(a_thread_with_members)(0)

    def watcher(language):
        user = UserFactory(preferred_language=language)
        MembershipFactory(group=thread.group, user=user)
        services.watch_set_group(user=user, group=thread.group, level="watching")
        return user

    people = [await sync_to_async(watcher)(lang) for lang in ("de", "en", "de")]
    sockets = [await connect(user) for user in people]
    for communicator in sockets:
        await replay(communicator, 0)
    await sync_to_async(PostFactory)(thread=thread, author=owner)
    got = [await communicator.receive_json_from(timeout=5) for communicator in sockets]
    notes = await sync_to_async(
        lambda: {n.recipient_id: n.pk for n in Notification.objects.filter(thread_ref=thread.pk)}
    )()
    for user, message in zip(people, got, strict=True):
        with translation.override(user.preferred_language):
            text = texts.describe("new_post", {"actor": owner.public_name, "thread": "Cycle lanes"})
            url = reverse("inbox:open", args=[notes[user.pk]])
        assert message == {
            "type": "notification",
            "id": notes[user.pk],
            "seq": 1,
            "text": text,
            "url": url,
            "unread": 1,
        }
    assert got[0]["text"] != got[1]["text"] and got[0]["url"].startswith("/de/")
    for communicator in sockets:
        await communicator.disconnect()
