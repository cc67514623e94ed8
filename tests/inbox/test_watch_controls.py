"""The group page offers its readers the group's watch level; nobody else sees the control."""

import re

import pytest
from django.urls import reverse

from groups.models import WorkingGroup
from groups.services import ban_create
from inbox.models import Watch, WatchLevel
from tests.factories import GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page_url(group):
    return group.pages.get(locale__language_code="en").url


@pytest.fixture
def group_with_page(site_tree):
    group = GroupFactory(
        visibility=WorkingGroup.Visibility.MEMBERS, with_page=True, owner=UserFactory()
    )
    return group


def test_member_chooses_the_group_level_on_the_group_page(client, group_with_page):
    member = MembershipFactory(group=group_with_page).user
    client.force_login(member)
    url = _page_url(group_with_page)
    page = client.get(url).content.decode()
    assert f'id="watch-group-{group_with_page.pk}"' in page
    assert re.search(r'<option value="normal" title="[^"]*" selected>', page)  # the default
    response = client.post(
        reverse("inbox:watch"),
        {"group": group_with_page.pk, "level": WatchLevel.TRACKING, "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert Watch.objects.get(user=member, group_ref=group_with_page.pk).level == WatchLevel.TRACKING
    assert re.search(
        r'<option value="tracking" title="[^"]*" selected>', client.get(url).content.decode()
    )


def test_no_control_for_visitors_or_the_banned(client, group_with_page):
    group_with_page.visibility = WorkingGroup.Visibility.PUBLIC
    group_with_page.save()
    url = _page_url(group_with_page)
    assert "watch-group-" not in client.get(url).content.decode()
    banned = UserFactory()
    owner = group_with_page.memberships.get(role="owner").user
    ban_create(group=group_with_page, user=banned, by=owner, reason="Spam")
    client.force_login(banned)
    assert "watch-group-" not in client.get(url).content.decode()


def test_a_reader_mutes_a_thread_from_the_thread_page(client, group_with_page):
    from tests.factories import ThreadFactory

    member = MembershipFactory(group=group_with_page).user
    thread = ThreadFactory(group=group_with_page)
    url = reverse("discussions:thread", args=[thread.pk])
    client.force_login(member)
    page = client.get(url).content.decode()
    assert f'id="watch-thread-{thread.pk}"' in page and "Mute this thread" in page
    response = client.post(
        reverse("inbox:watch"), {"thread": thread.pk, "level": WatchLevel.MUTED, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert Watch.objects.get(user=member, thread_ref=thread.pk).level == WatchLevel.MUTED
    page = client.get(url).content.decode()
    assert re.search(r'<option value="muted" title="[^"]*" selected>', page)
    assert "Mute this thread" not in page
    client.logout()
    assert "watch-thread-" not in client.get(url).content.decode()  # no 404: nothing to see
