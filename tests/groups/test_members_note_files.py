"""An editor who links a file anyone can open from a members-only note is warned, with
the collection to move it to; a file in the group's own collection raises no warning."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.files.base import ContentFile
from django.test import RequestFactory
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.models import Collection

from groups.services import group_collection_ensure
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def after_edit(page) -> list[str]:
    request = RequestFactory().post("/admin/pages/edit/")
    request.user = UserFactory(is_superuser=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    for hook in hooks.get_hooks("after_edit_page"):
        hook(request, page)
    return [str(m) for m in get_messages(request)]


def document(title, collection):
    return get_document_model().objects.create(
        title=title, file=ContentFile(b"minutes", name="minutes.txt"), collection=collection
    )


@pytest.mark.parametrize("visibility", ["members", "secret"])
def test_a_public_file_in_a_members_note_is_named_with_where_to_move_it(site_tree, visibility):
    group = GroupFactory(visibility=visibility, with_page=True, name="Water utilities")
    kept = group_collection_ensure(group=group)
    open_to_all = document("March minutes", Collection.get_first_root_node())
    members_only = document("April minutes", kept)
    page = group.page_in("en")
    page.members_note = (
        f'<p><a id="{open_to_all.pk}" linktype="document">March</a> and '
        f'<a linktype="document" id="{members_only.pk}">April</a></p>'
    )
    page.save_revision().publish()
    (message,) = after_edit(page)
    assert "March minutes" in message and "April minutes" not in message
    assert f"“{kept.name}”" in message


def test_no_warning_for_a_public_group_or_a_note_without_files(site_tree):
    public = GroupFactory(visibility="public", with_page=True)
    page = public.page_in("en")
    page.members_note = (
        f'<p><a linktype="document" id="{document("Open", Collection.get_first_root_node()).pk}">'
        "x</a></p>"
    )
    page.save_revision().publish()
    assert after_edit(page) == []
    private = GroupFactory(visibility="members", with_page=True).page_in("en")
    private.members_note = "<p>No files here.</p>"
    private.save_revision().publish()
    assert after_edit(private) == []
