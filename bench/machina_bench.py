"""django-machina's topic page with N posts, through Django's test client.

Run by bench/thread_render.py inside bench/.venv-machina (django-machina 1.3.1 on Django
4.2, SQLite). Prints one JSON line: {"results": [{"n", "ms", "queries", "posts_on_page",
"bytes"}...]}; with --serve it prints {"ready": [...]} and then times one request per
line "N" read from stdin. All N posts are shown on one page
(MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE = N),
so the page carries the same N posts; `--per-page 15` measures machina's default page.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".work")


def configure(db_path: str, per_page: int) -> None:
    import django
    from django.conf import settings
    from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db_path}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "django.contrib.sites",
            "mptt",
            "haystack",
            "widget_tweaks",
            "machina",
            "machina.apps.forum",
            "machina.apps.forum_conversation",
            "machina.apps.forum_conversation.forum_attachments",
            "machina.apps.forum_conversation.forum_polls",
            "machina.apps.forum_feeds",
            "machina.apps.forum_moderation",
            "machina.apps.forum_search",
            "machina.apps.forum_tracking",
            "machina.apps.forum_member",
            "machina.apps.forum_permission",
        ],
        SITE_ID=1,
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "machina.apps.forum_permission.middleware.ForumPermissionMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [MACHINA_MAIN_TEMPLATE_DIR],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.debug",
                        "django.template.context_processors.request",
                        "django.template.context_processors.i18n",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "machina.core.context_processors.metadata",
                    ]
                },
            }
        ],
        STATIC_URL="/static/",
        STATICFILES_DIRS=[MACHINA_MAIN_STATIC_DIR],
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "machina_attachments": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": tempfile.mkdtemp(prefix="machina-attachments-"),
            },
        },
        HAYSTACK_CONNECTIONS={
            "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        USE_TZ=True,
        MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE=per_page,
        MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS=[
            "can_see_forum",
            "can_read_forum",
            "can_start_new_topics",
            "can_reply_to_topics",
            "can_edit_own_posts",
            "can_delete_own_posts",
            "can_post_without_approval",
            "can_vote_in_polls",
            "can_download_file",
            "can_subscribe_to_topics",
        ],
    )
    django.setup()


def _urlpatterns():
    from django.urls import include, path
    from machina import urls as machina_urls

    return [path("forum/", include(machina_urls))]


def __getattr__(name):  # ROOT_URLCONF = this module, built lazily after setup
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


BODY = "A reply with *some* Markdown and a [link](https://example.org)."


def build(n: int):
    from django.contrib.auth import get_user_model
    from machina.apps.forum.models import Forum
    from machina.apps.forum_conversation.models import Post, Topic

    users = [
        get_user_model().objects.create_user(f"u{n}_{i}", f"u{n}_{i}@example.org", "pw")
        for i in range(2)
    ]
    forum = Forum.objects.create(name=f"Bench {n}", type=Forum.FORUM_POST)
    topic = Topic.objects.create(
        forum=forum,
        subject=f"Topic with {n} posts",
        poster=users[0],
        type=Topic.TOPIC_POST,
        status=Topic.TOPIC_UNLOCKED,
        approved=True,
    )
    for i in range(n):
        Post.objects.create(
            topic=topic, poster=users[i % 2], subject=f"Re: {i}", content=BODY, approved=True
        )
    topic.refresh_from_db()
    return users[1], forum, topic


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="15,200,1000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--per-page", type=int, default=0, help="0 = all N posts on one page")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="after building, answer stdin lines 'N' with the ms of one request (so the "
        "caller can interleave machina with its own measurements)",
    )
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    db_path = os.path.join(WORK, f"machina-{os.getpid()}.sqlite3")
    sizes = [int(s) for s in args.sizes.split(",")]
    configure(db_path, args.per_page or max(sizes) + 1)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    pages = {}
    try:
        for n in sizes:
            viewer, forum, topic = build(n)
            client = Client()
            client.force_login(viewer)
            url = f"/forum/forum/{forum.slug}-{forum.pk}/topic/{topic.slug}-{topic.pk}/"
            response = client.get(url)
            assert response.status_code == 200, (response.status_code, url)
            for _ in range(args.warmup):
                client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                html = client.get(url).content
            queries = len(ctx)  # read now: the next request resets the query log
            pages[n] = (client, url)
            info = {
                "n": n,
                "queries": queries,
                "posts_on_page": html.count(b'class="my-3 card post"'),
                "bytes": len(html),
            }
            if not args.serve:
                timings = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                info["ms"] = round(statistics.median(timings), 2)
            pages[n] = (client, url, info)
        if args.serve:
            print(json.dumps({"ready": [info for _c, _u, info in pages.values()]}), flush=True)
            for line in sys.stdin:
                client, url, _info = pages[int(line)]
                start = time.perf_counter()
                client.get(url)
                print(f"{(time.perf_counter() - start) * 1000:.3f}", flush=True)
        else:
            print(json.dumps({"results": [info for _c, _u, info in pages.values()]}))
    finally:
        connection.close()
        os.remove(db_path)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
