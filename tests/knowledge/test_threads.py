"""Good practices and threads, linked both ways."""

import pytest
from django.core.exceptions import PermissionDenied

from groups.models import Membership
from knowledge.models import GoodPracticePage, PracticeThreadLink
from knowledge.services import good_practice_propose_from_thread, practice_discuss
from tests.factories import (
    GoodPracticeFactory,
    GroupFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(knowledge_pages):
    return GroupFactory(with_page=True)


@pytest.fixture
def moderator(group):
    user = UserFactory(is_staff=False)
    MembershipFactory(group=group, user=user, role=Membership.Role.MODERATOR)
    return user


@pytest.fixture
def thread(group):
    return ThreadFactory(
        group=group,
        author=UserFactory(display_name="Kofi Boateng", city="Kumasi", country="GH"),
        title="Solar street lights that last",
        body="In **Kumasi** we replaced 2,000 street lights with "
        "solar ones.\n\nMaintenance is the key.",
    )


def test_moderator_proposes_a_thread_as_a_draft_practice(client, thread, moderator):
    client.force_login(moderator)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Propose as good practice" in html
    response = client.post(f"/en/knowledge/threads/{thread.pk}/propose/")
    assert response.status_code == 302
    page = GoodPracticePage.objects.get()
    assert page.live is False and page.title == thread.title
    assert (
        page.summary.startswith("In Kumasi we replaced 2,000 street lights")
        and "**" not in page.summary
    )
    assert [g.group_id for g in page.related_groups.all()] == [thread.group_id]
    # The thread's author is the contact, and their city the place (the editor checks it).
    assert [c.user_id for c in page.contacts.all()] == [thread.author_id]
    assert (page.city, page.country.code, page.region) == ("Kumasi", "GH", "sub-saharan-africa")
    link = PracticeThreadLink.objects.get()
    assert (
        link.thread == thread
        and link.practice_key == page.translation_key
        and link.kind == "source"
    )
    # The thread now says so, and offers no second proposal.
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "draft, awaiting an editor" in html and "Propose as good practice" not in html
    # Proposing again returns the same draft.
    assert good_practice_propose_from_thread(thread=thread, by=moderator).pk == page.pk
    assert GoodPracticePage.objects.count() == 1


def test_members_cannot_propose(client, thread):
    member = UserFactory()
    MembershipFactory(group=thread.group, user=member)
    client.force_login(member)
    assert "Propose as good practice" not in client.get(thread.get_absolute_url()).content.decode()
    with pytest.raises(PermissionDenied):
        good_practice_propose_from_thread(thread=thread, by=member)
    response = client.post(f"/en/knowledge/threads/{thread.pk}/propose/", follow=True)
    assert "Only the group" in response.content.decode()
    assert not GoodPracticePage.objects.exists()


def test_published_practice_shows_its_source_thread_and_vice_versa(client, thread, moderator):
    page = good_practice_propose_from_thread(thread=thread, by=moderator)
    page.save_revision().publish()  # the place came from the thread's author
    page.refresh_from_db()
    practice_html = client.get(page.url).content.decode()
    assert thread.get_absolute_url() in practice_html
    thread_html = client.get(thread.get_absolute_url()).content.decode()
    assert page.url in thread_html


def test_discuss_this_practice_opens_one_thread_per_group(client, group):
    page = GoodPracticeFactory(title="Cool roofs")
    page.related_groups.create(group=group)
    page.save_revision().publish()
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    client.force_login(member)
    html = client.get(page.url).content.decode()
    assert "Discuss this practice" in html
    response = client.post(f"{page.url}discuss/", {"group": group.pk})
    assert response.status_code == 302
    link = PracticeThreadLink.objects.get(kind="discussion")
    assert response["Location"] == link.thread.get_absolute_url()
    assert link.thread.group == group and "Cool roofs" in link.thread.title
    # Both ways: the thread names the practice, the practice lists the thread.
    assert page.url in client.get(link.thread.get_absolute_url()).content.decode()
    assert link.thread.get_absolute_url() in client.get(page.url).content.decode()
    # A second click goes to the same thread.
    again = practice_discuss(page=page, group=group, by=member)
    assert again.pk == link.thread_id and PracticeThreadLink.objects.count() == 1


def test_discussing_needs_membership_of_a_related_group(client, group):
    page = GoodPracticeFactory()
    page.related_groups.create(group=group)
    page.save_revision().publish()
    outsider = UserFactory()
    client.force_login(outsider)
    assert "Discuss this practice" not in client.get(page.url).content.decode()
    response = client.post(f"{page.url}discuss/", {"group": group.pk})
    assert response.status_code == 403
    assert not PracticeThreadLink.objects.exists()


def test_secret_group_threads_stay_hidden_from_the_practice_page(client, knowledge_pages):
    secret = GroupFactory(visibility="secret")
    owner = UserFactory()
    MembershipFactory(group=secret, user=owner, role=Membership.Role.OWNER)
    page = GoodPracticeFactory()
    page.related_groups.create(group=secret)
    page.save_revision().publish()
    thread = practice_discuss(page=page, group=secret, by=owner)
    html = client.get(page.url).content.decode()
    assert thread.get_absolute_url() not in html and secret.name not in html
    client.force_login(owner)
    html = client.get(page.url).content.decode()
    assert thread.get_absolute_url() in html


@pytest.mark.parametrize("n", [1, 6])
def test_practice_page_query_count_is_flat(
    client, knowledge_pages, django_assert_max_num_queries, n
):
    """Contacts, related groups and linked threads: a fixed number of queries."""
    from tests.factories import ExpertProfileFactory

    page = GoodPracticeFactory()
    member = UserFactory()
    for i in range(n):
        group = GroupFactory(with_page=True)
        MembershipFactory(group=group, user=member)
        page.related_groups.create(group=group)
        page.contacts.create(user=ExpertProfileFactory().user, role=f"Role {i}")
    page.save_revision().publish()
    page.refresh_from_db()
    for link in page.related_groups.all():
        practice_discuss(page=page, group=link.group, by=member)
    client.force_login(member)
    client.get(page.url)
    with django_assert_max_num_queries(20):
        html = client.get(page.url).content.decode()
    assert html.count("Role ") == n
    for link in page.related_groups.select_related("group"):
        assert f'href="{link.group.get_absolute_url()}"' in html


def test_editors_find_proposed_drafts_on_their_admin_dashboard(client, thread, moderator):
    from tests.factories import create_partner, partner_editor

    from .test_partner_sections import site_editors

    page = good_practice_propose_from_thread(thread=thread, by=moderator)
    editor = UserFactory(is_staff=True)
    editor.groups.add(site_editors())
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Good practices awaiting an editor" in html
    assert f'data-practice-draft="{page.pk}"' in html and f"/admin/pages/{page.pk}/edit/" in html
    # A partner association's editor cannot edit the network's database: not on their list.
    client.force_login(partner_editor(create_partner(name="Lagoon cities")))
    html = client.get("/admin/").content.decode()
    assert "Good practices awaiting an editor" not in html and thread.title not in html
    # Once published it no longer waits.
    page.save_revision().publish()
    client.force_login(editor)
    assert "Good practices awaiting an editor" not in client.get("/admin/").content.decode()


def test_discuss_does_not_lead_outsiders_to_a_secret_groups_thread(client, knowledge_pages):
    """Once a secret group discusses the practice, an outsider posting its id learns
    nothing: the same 400 as for any group that is not the practice's, no redirect."""
    secret = GroupFactory(visibility="secret")
    owner = UserFactory()
    MembershipFactory(group=secret, user=owner, role=Membership.Role.OWNER)
    page = GoodPracticeFactory()
    page.related_groups.create(group=secret)
    page.save_revision().publish()
    practice_discuss(page=page, group=secret, by=owner)
    client.force_login(UserFactory())
    response = client.post(f"{page.url}discuss/", {"group": secret.pk})
    assert response.status_code == 400
    assert "Choose one of the practice" in response.content.decode()
    assert PracticeThreadLink.objects.count() == 1
