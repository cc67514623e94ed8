"""All websocket routes; each app contributes its own `routing.py`."""

from inbox.routing import websocket_urlpatterns as inbox_ws

websocket_urlpatterns = [*inbox_ws]
