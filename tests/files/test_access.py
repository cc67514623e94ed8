"""Files follow their content's permissions: every persona × group visibility × kind of file.

For a public, a members-only and a secret group, an image, one of its renditions and a
document live in the group's own collection. Each persona asks for each by its direct media
URL and through the serve views, with the development setting (Python streams the bytes)
and the production one (Python decides, the web server sends via X-Accel-Redirect). The
answer is exactly what the policy says: 200 with the file, or 404 that says nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction

from files import policy
from files.models import StoredFile
from groups.models import Membership
from groups.services import ban_create, group_collection_ensure
from tests.factories import GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "banned", "member", "moderator"]
VISIBILITIES = ["public", "members", "secret"]
# Who may read a group's files: the rule of its content (groups.permissions.can_read_content).
READABLE = {
    "public": set(PERSONAS),
    "members": {"member", "moderator"},
    "secret": {"member", "moderator"},
}
ACCEL = "/_protected_media/"


@dataclass
class GroupFiles:
    group: object
    image: object
    rendition: object
    document: object


@pytest.fixture
def world(site_tree):
    people = {name: UserFactory(username=name) for name in PERSONAS if name != "anonymous"}
    people["anonymous"] = None
    sides = {}
    for visibility in VISIBILITIES:
        owner = UserFactory()
        group = GroupFactory(visibility=visibility, owner=owner, with_page=True)
        collection = group_collection_ensure(group=group)
        MembershipFactory(group=group, user=people["member"])
        MembershipFactory(group=group, user=people["moderator"], role=Membership.Role.MODERATOR)
        MembershipFactory(group=group, user=people["banned"])
        ban_create(group=group, user=people["banned"], by=owner, reason="Spam")
        image = get_image_model().objects.create(
            title=f"{visibility} image",
            file=get_test_image_file(filename=f"secret-plan-{visibility}.png"),
            collection=collection,
        )
        document = get_document_model().objects.create(
            title=f"{visibility} minutes",
            file=ContentFile(b"minutes of the meeting", name=f"secret-minutes-{visibility}.txt"),
            collection=collection,
        )
        sides[visibility] = GroupFiles(group, image, image.get_rendition("fill-20x20"), document)
    return people, sides


def _as(client, people, persona):
    client.logout()
    if people[persona] is not None:
        client.force_login(people[persona])
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("accel", ["", ACCEL], ids=["streamed", "x-accel"])
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_every_persona_gets_what_the_policy_says(client, world, settings, accel, visibility):
    settings.PLAZA_FILES_ACCEL_REDIRECT = accel
    people, sides = world
    side = sides[visibility]
    urls = {
        "image": side.image.file.url,
        "rendition": side.rendition.url,
        "document": side.document.url,
    }
    assert urls["document"].startswith("/documents/")  # the serve view, never MEDIA_URL
    for persona in PERSONAS:
        _as(client, people, persona)
        allowed = persona in READABLE[visibility]
        for kind, url in urls.items():
            response = client.get(url)
            cell = (visibility, persona, kind, accel)
            assert response.status_code == (200 if allowed else 404), cell
            if not allowed:
                assert b"secret" not in _body(response), cell
                continue
            cache = response["Cache-Control"]
            assert cache.startswith("public" if visibility == "public" else "private"), cell
            assert response["X-Content-Type-Options"] == "nosniff"
            stored = (side.document if kind == "document" else side.image).file
            if kind == "rendition":
                stored = side.rendition.file
            if accel:
                assert response["X-Accel-Redirect"] == ACCEL + stored.name, cell
                assert _body(response) == b"", cell  # the web server sends the bytes
            else:
                assert "X-Accel-Redirect" not in response
                with stored.open("rb") as handle:
                    assert _body(response) == handle.read(), cell
        # Documents never come straight from MEDIA_ROOT, not even public ones.
        assert client.get("/media/" + side.document.file.name).status_code == 404


def test_the_three_forms_of_the_policy_agree(world):
    people, sides = world
    images, documents = get_image_model().objects.all(), get_document_model().objects.all()
    for persona in PERSONAS:
        user = people[persona]
        readable_images = set(policy.readable(user, images).values_list("pk", flat=True))
        readable_documents = set(policy.readable(user, documents).values_list("pk", flat=True))
        for visibility, side in sides.items():
            allowed = persona in READABLE[visibility]
            for obj, listed in (
                (side.image, side.image.pk in readable_images),
                (side.rendition, side.image.pk in readable_images),
                (side.document, side.document.pk in readable_documents),
            ):
                readers = policy.readers(obj)
                in_readers = readers is None or (
                    user is not None and readers.filter(pk=user.pk).exists()
                )
                cell = (visibility, persona, type(obj).__name__)
                assert policy.user_can_read(user, obj) is allowed, cell
                assert listed is allowed, cell
                assert in_readers is allowed, cell


def test_a_subcollection_of_a_group_collection_is_as_private(client, world):
    people, sides = world
    parent = sides["secret"].group.collection
    child = parent.add_child(name="Archive")
    image = get_image_model().objects.create(
        title="Old plan", file=get_test_image_file(filename="old.png"), collection=child
    )
    assert client.get(image.file.url).status_code == 404
    _as(client, people, "member")
    assert client.get(image.file.url).status_code == 200
    assert image.pk not in policy.readable(people["outsider"], get_image_model().objects.all())


def test_wagtails_collection_privacy_is_obeyed_too(client, world):
    """A collection an admin restricted to signed-in users, with no group behind it."""
    people, _sides = world
    root = Collection.get_first_root_node()
    board = root.add_child(name="Board papers")
    CollectionViewRestriction.objects.create(
        collection=board, restriction_type=CollectionViewRestriction.LOGIN
    )
    image = get_image_model().objects.create(
        title="Board", file=get_test_image_file(filename="board.png"), collection=board
    )
    document = get_document_model().objects.create(
        title="Board", file=ContentFile(b"board", name="board.txt"), collection=board
    )
    assert client.get(image.file.url).status_code == 404
    # Wagtail's own hook sends an anonymous visitor to log in for the document.
    assert client.get(document.url).status_code == 302
    _as(client, people, "outsider")
    response = client.get(image.file.url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    assert client.get(document.url).status_code == 200


def test_upload_names_are_random_and_the_original_is_shown_to_readers(client, world):
    people, sides = world
    side = sides["members"]
    for stored, original in (
        (side.image.file, "secret-plan-members.png"),
        (side.document.file, "secret-minutes-members.txt"),
    ):
        assert "secret" not in stored.name and "members" not in stored.name
        assert StoredFile.objects.get(path=stored.name).original_name == original
    _as(client, people, "member")
    response = client.get(side.document.url)
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="secret-minutes-members.txt"' in response["Content-Disposition"]
    response = client.get(side.image.file.url)
    assert 'inline; filename="secret-plan-members.png"' in response["Content-Disposition"]
    # Deleting the file forgets its name.
    name = side.document.file.name
    side.document.delete()
    assert not StoredFile.objects.filter(path=name).exists()


def test_an_upload_through_the_admin_gets_a_random_name(client, world):
    people, sides = world
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    collection = sides["secret"].group.collection
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Budget",
            "collection": collection.pk,
            "file": ContentFile(b"the budget", name="Mayor budget cuts 2027.txt"),
        },
    )
    assert response.status_code == 302, response.content[:500]
    document = get_document_model().objects.get(title="Budget")
    assert "budget" not in document.file.name.lower() and document.file.name.endswith(".txt")
    assert document.filename != "Mayor budget cuts 2027.txt"
    assert StoredFile.objects.get(path=document.file.name).original_name == (
        "Mayor budget cuts 2027.txt"
    )
    _as(client, people, "outsider")
    assert client.get(document.url).status_code == 404


def test_a_304_says_nothing_to_someone_who_may_not_read(client, world):
    people, sides = world
    side = sides["secret"]
    _as(client, people, "member")
    first = client.get(side.image.file.url)
    etag = first["ETag"]
    assert client.get(side.image.file.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    _as(client, people, "outsider")
    assert client.get(side.image.file.url, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings/base.py",
        "/media/original_images/../../manage.py",
        "/media/original_images/nothing-here.png",
        "/media/documents/minutes.txt",
        "/media/plaza-secrets.txt",
    ],
)
def test_odd_media_paths_are_404(client, world, path):
    assert client.get(path).status_code == 404


def test_a_new_group_gets_its_own_collection_named_after_it(world):
    from groups.services import group_update_settings

    _people, sides = world
    group = sides["members"].group
    assert group.collection.get_parent().name == "Working groups"
    group_update_settings(group=group, by=group.memberships.get(role="owner").user, name="Water")
    group.collection.refresh_from_db()
    assert group.collection.name == "Water"


def test_production_settings_serve_nothing_private_from_media_root():
    """What the web server is told: /media/ goes to the policy view, bytes via X-Accel."""
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from django.urls import resolve;"
        "m = resolve('/media/original_images/a.png').func;"
        "print(settings.PLAZA_FILES_ACCEL_REDIRECT, settings.WAGTAILDOCS_SERVE_METHOD,"
        " m.__module__ + '.' + m.__name__, settings.MEDIA_URL)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "plaza.example.org",
    }
    env.pop("PLAZA_FILES_ACCEL_REDIRECT", None)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["/_protected_media/", "serve_view", "files.views.media", "/media/"]
