"""All websocket routes; each app contributes its own `routing.py`."""

from discussions.routing import websocket_urlpatterns as discussions_ws
from inbox.routing import websocket_urlpatterns as inbox_ws

websocket_urlpatterns = [*inbox_ws, *discussions_ws]
