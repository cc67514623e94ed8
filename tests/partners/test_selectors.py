"""Regional working groups in a section: the association's moderators moderate them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from groups.models import WorkingGroup
from groups.permissions import can_moderate, group_moderators, moderated_groups
from groups.services import group_create
from tests.factories import (
    GroupFactory,
    UserFactory,
    create_partner,
    partner_editor,
    partner_moderator,
)


def regional_group(parent, slug):
    return group_create(
        name=slug.title(),
        slug=slug,
        kind=WorkingGroup.Kind.REGIONAL,
        visibility=WorkingGroup.Visibility.PUBLIC,
        join_policy=WorkingGroup.JoinPolicy.OPEN,
        owner=UserFactory(),
        parent_page=parent,
    )


@pytest.mark.django_db
def test_moderators_of_an_association_moderate_the_groups_in_its_section(
    site_tree, django_assert_num_queries
):
    a = create_partner(name="Assoc A", languages=["en", "fr"])
    b = create_partner(name="Assoc B", languages=["en"])
    in_a = regional_group(a.section, "coastal-a")
    in_a_french = regional_group(a.section_pages.get(locale__language_code="fr"), "coastal-a-fr")
    nested = regional_group(
        a.section.get_children().get(slug="news"), "nested-a"
    )  # deeper in the subtree
    in_b = regional_group(b.section, "coastal-b")
    elsewhere = GroupFactory(with_page=True)  # under the groups index, in no section
    without_page = GroupFactory()

    moderator_a = partner_moderator(a)
    with django_assert_num_queries(1):
        ids = set(moderated_groups(moderator_a).values_list("pk", flat=True))
    assert ids == {in_a.pk, in_a_french.pk, nested.pk}
    # A role query per group, the grant once for the user object (then cached).
    with django_assert_num_queries(3):
        assert can_moderate(moderator_a, in_a) and can_moderate(moderator_a, nested)
    for group in (in_b, elsewhere, without_page):
        assert not can_moderate(moderator_a, group)
        assert moderator_a not in group_moderators(group)
    assert moderator_a in group_moderators(in_a) and moderator_a in group_moderators(nested)

    assert set(moderated_groups(partner_moderator(b))) == {in_b}
    # Editors, members, visitors and inactive moderators moderate nothing through partners.
    inactive = partner_moderator(a)
    inactive.is_active = False
    inactive.save()
    for user in (partner_editor(a), UserFactory(), AnonymousUser(), inactive):
        assert not moderated_groups(user).exists()
        assert not can_moderate(user, in_a)
    assert inactive not in group_moderators(in_a)


@pytest.mark.django_db
def test_nobody_moderates_through_partners_without_sections(site_tree, django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        assert not moderated_groups(user).exists()


@pytest.mark.django_db
def test_groups_permissions_let_association_moderators_moderate_their_section_groups(
    client, site_tree
):
    """The wiring: groups.permissions.can_moderate and the group's moderation pages."""
    a = create_partner(name="Assoc A", languages=["en"])
    b = create_partner(name="Assoc B", languages=["en"])
    in_a, in_b = regional_group(a.section, "delta-a"), regional_group(b.section, "delta-b")
    moderator_a = partner_moderator(a)
    assert can_moderate(moderator_a, in_a)
    assert not can_moderate(moderator_a, in_b)
    assert not can_moderate(partner_editor(a), in_a)


@pytest.mark.django_db
def test_association_moderators_read_what_they_moderate_in_a_members_only_group(client, site_tree):
    """A moderator who could not read the threads could not moderate them (it was a 403)."""
    from groups.permissions import can_read_content, can_view_group, readable_groups
    from groups.services import group_update_settings
    from tests.factories import ThreadFactory

    a = create_partner(name="Assoc A", languages=["en"])
    b = create_partner(name="Assoc B", languages=["en"])
    in_a, in_b = regional_group(a.section, "lagoon-a"), regional_group(b.section, "lagoon-b")
    for group in (in_a, in_b):
        owner = group.memberships.get(role="owner").user
        group_update_settings(group=group, by=owner, visibility=WorkingGroup.Visibility.SECRET)
        group.refresh_from_db()
    thread_a = ThreadFactory(group=in_a, title="Flood drills")
    thread_b = ThreadFactory(group=in_b, title="Dune planting")
    moderator_a = partner_moderator(a)
    assert can_view_group(moderator_a, in_a) and can_read_content(moderator_a, in_a)
    assert not can_view_group(moderator_a, in_b) and not can_read_content(moderator_a, in_b)
    assert set(moderated_groups(moderator_a)) == {in_a}
    assert in_a in readable_groups(moderator_a) and in_b not in readable_groups(moderator_a)
    client.force_login(moderator_a)
    response = client.get(f"/en/discussions/threads/{thread_a.pk}/")
    assert response.status_code == 200 and "Flood drills" in response.content.decode()
    assert client.get(f"/en/discussions/threads/{thread_b.pk}/").status_code == 404
    editor = partner_editor(a)  # editors edit pages; they do not read secret groups
    assert not can_read_content(editor, in_a)
