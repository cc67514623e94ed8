"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets are origin-checked against ALLOWED_HOSTS and carry the session user.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from core.ws import plaza_websocket_application  # noqa: E402 - every installed app's routes

application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": plaza_websocket_application()}
)

# Everything loaded at start-up (Django, Wagtail, the apps, the URLconf: ~210,000 objects)
# lives as long as the process. Take it out of the cyclic garbage collector's sight: a full
# collection over it paused the whole event loop — every socket of the process — for
# 150-200 ms in-process and 250-540 ms in a daphne serving 1,000 websockets
# (bench/notify_latency.py; bench/RESULTS.md "Inbox: notification latency").
import gc  # noqa: E402

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - import every view module now, so it is frozen too
gc.collect()
gc.freeze()
# What remains tracked grows with the open websockets (~150 objects each). Each event
# briefly holds a few thousand containers (a fan-out's rows, a push's recipients); with
# the default young-generation threshold (700) they were promoted and triggered a full
# collection every few events — 150-250 ms at 1,000 sockets. At 10,000 they die young.
gc.set_threshold(10_000, 10, 10)
