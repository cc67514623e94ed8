"""Live updates of one thread over a websocket (/ws/threads/<id>/).

The permission check (discussions.permissions.can_read_thread, built on
groups.permissions.can_read_content) runs BEFORE joining the channel-layer group; events
carry ids only, and the browser fetches each post's fragment through a view that checks
permission again — so a socket never delivers content its viewer may not read.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.ws import ResilientLayerMixin, SafeJsonMixin

from .realtime import thread_group


@database_sync_to_async
def _may_read(user, thread_id: int) -> bool:
    from . import permissions as perms
    from .models import Thread

    thread = Thread.objects.select_related("group").filter(pk=thread_id).first()
    return thread is not None and perms.can_read_thread(user, thread)


class ThreadConsumer(ResilientLayerMixin, SafeJsonMixin, AsyncJsonWebsocketConsumer):
    """One thread's viewers: post created/updated events and thread changes.

    The client only pings. Malformed frames get an error frame (SafeJsonMixin); the
    channel-layer listener survives a quiet or restarting Redis (ResilientLayerMixin).
    """

    client_types = frozenset({"ping"})
    group_name: str | None = None

    async def connect(self):
        thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        user = self.scope.get("user")
        if not await _may_read(user, thread_id):
            # 4403: the client must not retry (inbox.js convention).
            await self.close(code=4403)
            return
        self.group_name = thread_group(thread_id)
        await self.join_group(self.group_name)
        await self.accept()
        await self.send_json({"type": "hello", "thread": thread_id})

    async def receive_json(self, content, **kwargs):
        if content["type"] == "ping":
            await self.send_json({"type": "pong"})

    async def thread_event(self, event):
        await self.send_json(event["payload"])
