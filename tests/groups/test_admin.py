"""The Wagtail admin can edit group pages (the site itself does membership work)."""

import pytest

from groups.models import GroupPage
from groups.services import group_index_ensure
from tests.factories import GroupFactory, UserFactory


@pytest.mark.django_db
def test_group_page_edit_and_add_forms_render_in_the_admin(client, site_tree):
    group = GroupFactory(with_page=True, owner=UserFactory())
    index = group_index_ensure()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = GroupPage.objects.get(group=group)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/add/groups/grouppage/{index.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_second_page_for_the_same_group_and_language_is_refused(site_tree):
    from django.core.exceptions import ValidationError

    group = GroupFactory(with_page=True, owner=UserFactory())
    index = group_index_ensure()
    duplicate = GroupPage(title="Again", slug="again", group=group, locale=index.locale)
    with pytest.raises(ValidationError):
        index.add_child(instance=duplicate)
