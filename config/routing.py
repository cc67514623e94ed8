"""All websocket routes: each installed app's own `routing.py`, collected by core.ws."""

from core.ws import websocket_urlpatterns as _collect

websocket_urlpatterns = _collect()
