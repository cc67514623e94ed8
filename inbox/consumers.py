from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .groups import user_group


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """A member's personal live channel (unread badge, toasts).

    Only signed-in members may connect; each joins only their own group.
    """

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code):
        if getattr(self, "group_name", None):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def inbox_event(self, event):
        await self.send_json(event["payload"])
