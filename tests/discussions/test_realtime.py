"""Live threads over the real ASGI application: subscription only after a permission check,
events carry ids only, a reply posted through the view reaches every subscribed viewer."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import AsyncClient, Client

from config.asgi import application
from discussions.models import Post
from groups.models import Membership, WorkingGroup
from tests.factories import GroupFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def _socket(thread_id: int, user=None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver")]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(_cookie)(user)))
    return WebsocketCommunicator(application, f"/ws/threads/{thread_id}/", headers=headers)


@sync_to_async
def _world(visibility):
    group = GroupFactory(visibility=visibility)
    author, reader, outsider = UserFactory(), UserFactory(), UserFactory()
    Membership.objects.create(group=group, user=reader, role=Membership.Role.MEMBER)
    thread = ThreadFactory(group=group, author=author)
    return group, thread, author, reader, outsider


async def _next_event(communicator, type_):
    while True:
        event = await communicator.receive_json_from(timeout=5)
        if event.get("type") == type_:
            return event


async def test_reply_through_the_view_reaches_a_second_subscribed_client():
    group, thread, author, reader, _ = await _world(WorkingGroup.Visibility.MEMBERS)
    watcher = await _socket(thread.pk, reader)
    connected, _ = await watcher.connect()
    assert connected
    assert (await watcher.receive_json_from())["type"] == "hello"
    # The author replies through the real view (Django's ASGI handler), not a service call.
    client = AsyncClient()
    await client.aforce_login(author)
    response = await client.post(
        f"/en/discussions/threads/{thread.pk}/reply/", {"body": "Live *hello*", "language": "en"}
    )
    assert response.status_code == 302
    post = await sync_to_async(Post.objects.get)(body="Live *hello*")
    event = await _next_event(watcher, "post_created")
    assert event == {
        "type": "post_created",
        "thread": thread.pk,
        "post": post.pk,
        "parent": post.parent_id,
    }
    # Ids only on the socket; the viewer fetches the fragment, rendered for them.
    reader_client = AsyncClient()
    await reader_client.aforce_login(reader)
    fragment = await reader_client.get(f"/en/discussions/posts/{post.pk}/fragment/")
    assert fragment.status_code == 200 and "<em>hello</em>" in fragment.content.decode()
    await watcher.disconnect()


async def test_non_members_cannot_subscribe_to_a_private_thread():
    for visibility in (WorkingGroup.Visibility.MEMBERS, WorkingGroup.Visibility.SECRET):
        group, thread, author, reader, outsider = await _world(visibility)
        for who in (None, outsider):
            communicator = await _socket(thread.pk, who)
            connected, code = await communicator.connect()
            assert not connected
            assert code == 4403
        member_socket = await _socket(thread.pk, reader)
        assert (await member_socket.connect())[0]
        await member_socket.disconnect()


async def test_anyone_may_follow_a_public_thread_and_unknown_threads_are_refused():
    group, thread, *_ = await _world(WorkingGroup.Visibility.PUBLIC)
    anonymous = await _socket(thread.pk)
    assert (await anonymous.connect())[0]
    await anonymous.disconnect()
    missing = await _socket(987654)
    connected, code = await missing.connect()
    assert not connected and code == 4403


async def test_edits_hides_and_reactions_are_pushed_as_ids():
    group, thread, author, reader, _ = await _world(WorkingGroup.Visibility.PUBLIC)
    moderator = await sync_to_async(UserFactory)()
    await sync_to_async(Membership.objects.create)(
        group=group, user=moderator, role=Membership.Role.MODERATOR
    )
    post = await sync_to_async(PostFactory)(thread=thread, author=reader, body="Original")
    watcher = await _socket(thread.pk)
    assert (await watcher.connect())[0]
    await watcher.receive_json_from()

    from discussions import services

    await sync_to_async(services.post_edit)(post=post, user=reader, body="Edited text")
    assert await _next_event(watcher, "post_updated") == {
        "type": "post_updated",
        "thread": thread.pk,
        "post": post.pk,
        "parent": post.parent_id,
    }
    await sync_to_async(services.reaction_toggle)(post=post, user=author, kind="thanks")
    assert (await _next_event(watcher, "post_updated"))["post"] == post.pk
    await sync_to_async(services.post_hide)(post=post, by=moderator, reason="Leak of personal data")
    event = await _next_event(watcher, "post_updated")
    assert set(event) == {"type", "thread", "post", "parent"}  # never content
    # The anonymous viewer's fragment shows the placeholder, not the text.
    fragment = await AsyncClient().get(f"/en/discussions/posts/{post.pk}/fragment/")
    html = fragment.content.decode()
    assert "Edited text" not in html and "hidden by a moderator" in html
    await watcher.disconnect()


async def test_nothing_is_pushed_for_a_rolled_back_reply():
    group, thread, author, reader, _ = await _world(WorkingGroup.Visibility.PUBLIC)
    watcher = await _socket(thread.pk)
    assert (await watcher.connect())[0]
    await watcher.receive_json_from()

    @sync_to_async
    def reply_then_fail():
        from django.db import transaction

        from discussions.services import post_reply

        with pytest.raises(RuntimeError), transaction.atomic():
            post_reply(thread=thread, parent=None, author=reader, body="Never happened")
            raise RuntimeError

    await reply_then_fail()
    assert await watcher.receive_nothing(timeout=0.3)
    await watcher.disconnect()
    await asyncio.sleep(0)
