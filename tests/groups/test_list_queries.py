"""Every group list view runs the same number of queries at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups import services
from groups.models import Membership
from tests.factories import GroupFactory, MembershipFactory, UserFactory


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def grow(group, moderator, n):
    """n more members, n pending requests, n log entries, n bans and n invitations."""
    for _ in range(n):
        MembershipFactory(group=group, user=UserFactory())
        services.join_request_create(group=group, user=UserFactory(), message="hello")
        services.ban_create(group=group, user=UserFactory(), by=moderator, reason="spam")
        services.invitation_create(group=group, by=moderator, user=UserFactory())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["members/", "requests/", "invitations/", "bans/", "log/", ""])
def test_group_lists_have_constant_queries(client, site_tree, django_assert_num_queries, path):
    owner = UserFactory()
    group = GroupFactory(slug="g", join_policy="request", with_page=True, owner=owner)
    moderator = UserFactory()
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    grow(group, moderator, 2)
    client.force_login(moderator)
    url = f"/en/groups/g/{path}"
    client.get(url)  # warm caches
    small = count_queries(client, url)
    grow(group, moderator, 25)
    with django_assert_num_queries(small):
        client.get(url)


@pytest.mark.django_db
def test_dashboard_my_groups_has_constant_queries(client, site_tree, django_assert_num_queries):
    user = UserFactory()
    owner = UserFactory()

    def more(n):
        for _ in range(n):
            MembershipFactory(group=GroupFactory(with_page=True, owner=owner), user=user)
            requested = GroupFactory(with_page=True, owner=owner, join_policy="request")
            services.join_request_create(group=requested, user=user)
            invited = GroupFactory(with_page=True, owner=owner, join_policy="invite")
            services.invitation_create(group=invited, by=owner, user=user)

    more(1)
    client.force_login(user)
    client.get("/en/me/")
    small = count_queries(client, "/en/me/")
    more(8)
    with django_assert_num_queries(small):
        response = client.get("/en/me/")
    html = response.content.decode()
    assert html.count("Answer the invitation") == 9
