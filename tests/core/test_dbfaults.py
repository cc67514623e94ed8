"""A request whose database connection was dropped gets a 503 (try again), never a 500,
and nothing is half-stored (core.dbfaults)."""

import logging

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from discussions.models import Post
from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL to end a backend"
)


def drop_django_connection() -> None:
    """End the backend of Django's connection from another one, as a server restart or an
    administrator's pg_terminate_backend would."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_reply_on_a_dropped_connection_is_a_503_and_stores_nothing(caplog):
    group = GroupFactory()
    author = UserFactory()
    MembershipFactory(group=group, user=author)
    thread = ThreadFactory(group=group, author=author)
    client = Client()
    client.force_login(author)
    before = Post.objects.count()
    drop_django_connection()
    with translation.override("fr"):
        url = reverse("discussions:thread_reply", args=[thread.pk])
    with caplog.at_level(logging.WARNING, logger="plaza.database"):
        response = client.post(url, {"body": "Lost in transit?", "language": "en"})
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "réessayer" in response.content.decode()  # translated
    assert "database unavailable 503 POST" in caplog.text
    assert "Traceback" not in caplog.text
    # The broken connection was let go: the next request (and this check) reconnect.
    assert Post.objects.count() == before
    assert client.get(thread.get_absolute_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_fetch_request_gets_the_503_as_json():
    author = UserFactory()
    client = Client()
    client.force_login(author)
    drop_django_connection()
    response = client.get(
        reverse("inbox:centre"), HTTP_ACCEPT="application/json", HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 503
    assert response.json()["retry"] is True
