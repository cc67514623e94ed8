"""Bad input gives a clear message, a 4xx through the views, and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groups import services
from groups.models import Ban, Invitation, JoinRequest, Membership, MembershipLogEntry, WorkingGroup
from tests.factories import GroupFactory, MembershipFactory, UserFactory


def snapshot():
    """Everything a membership write could touch."""
    return {
        "memberships": sorted(Membership.objects.values_list("group_id", "user_id", "role")),
        "requests": sorted(JoinRequest.objects.values_list("pk", "status", "reason")),
        "invitations": sorted(Invitation.objects.values_list("pk", "status", "user_id")),
        "bans": sorted(Ban.objects.values_list("group_id", "user_id")),
        "log": MembershipLogEntry.objects.count(),
        "counts": sorted(WorkingGroup.objects.values_list("pk", "member_count")),
    }


@pytest.fixture
def world(site_tree):
    owner = UserFactory(username="owner")
    moderator = UserFactory(username="mod")
    group = GroupFactory(
        slug="alpha", name="Alpha", with_page=True, owner=owner, join_policy="request"
    )
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    other = GroupFactory(
        slug="beta",
        name="Beta",
        with_page=True,
        owner=UserFactory(username="owner2"),
        join_policy="request",
    )
    return {"owner": owner, "moderator": moderator, "group": group, "other": other}


@pytest.mark.django_db
def test_joining_twice(client, world):
    group = world["group"]
    group.join_policy = "open"
    group.save()
    member = UserFactory()
    client.force_login(member)
    assert client.post("/en/groups/alpha/join/").status_code == 302
    before = snapshot()
    response = client.post("/en/groups/alpha/join/")
    assert response.status_code == 400
    assert "You are already a member of this group." in response.content.decode()
    assert snapshot() == before
    with pytest.raises(ValidationError):
        services.group_join(group=group, user=member)
    assert snapshot() == before


@pytest.mark.django_db
def test_requesting_twice(client, world):
    applicant = UserFactory()
    client.force_login(applicant)
    assert client.post("/en/groups/alpha/request/", {"message": "Hi"}).status_code == 302
    before = snapshot()
    response = client.post(
        "/en/groups/alpha/request/", {"message": "Me again, with a long message"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "You have already asked to join" in html
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["approve", "decline"])
def test_approving_an_already_handled_request(client, world, first):
    applicant = UserFactory()
    join_request = services.join_request_create(group=world["group"], user=applicant, message="Hi")
    client.force_login(world["moderator"])
    url = f"/en/groups/alpha/requests/{join_request.pk}/"
    assert client.post(url, {"decision": first, "reason": "first"}).status_code == 302
    before = snapshot()
    response = client.post(url, {"decision": "approve", "reason": "second thoughts"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This request has already been handled." in html
    assert "second thoughts" in html  # the moderator's input is not lost
    assert snapshot() == before


@pytest.mark.django_db
def test_inviting_a_banned_user(client, world):
    banned = UserFactory(username="spammer")
    services.ban_create(group=world["group"], user=banned, by=world["owner"], reason="spam")
    client.force_login(world["moderator"])
    before = snapshot()
    for invitee in ("@spammer", banned.email):
        response = client.post(
            "/en/groups/alpha/invitations/", {"invitee": invitee, "message": "come back"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "This person is banned from this group. Lift the ban first." in html
        assert "come back" in html
    assert snapshot() == before
    # ...and a banned person cannot rejoin on their own either.
    client.force_login(banned)
    response = client.post("/en/groups/alpha/request/", {"message": "let me in"})
    assert (
        response.status_code == 400
        and "You are banned from this group." in response.content.decode()
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_accepting_an_expired_invitation(client, world):
    invitee = UserFactory()
    invitation = services.invitation_create(
        group=world["group"], by=world["moderator"], user=invitee
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(invitee)
    before = snapshot()
    response = client.post(f"/en/groups/invitations/{invitation.token}/", {"answer": "accept"})
    assert response.status_code == 400
    assert "This invitation has expired." in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_accepting_a_foreign_invitation(client, world):
    invitee = UserFactory()
    invitation = services.invitation_create(
        group=world["group"], by=world["moderator"], user=invitee
    )
    stranger = UserFactory()
    client.force_login(stranger)
    before = snapshot()
    response = client.post(f"/en/groups/invitations/{invitation.token}/", {"answer": "accept"})
    assert response.status_code == 403
    assert "This invitation is addressed to someone else." in response.content.decode()
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=invitation, user=stranger)
    assert snapshot() == before


@pytest.mark.django_db
def test_accepting_an_answered_invitation(client, world):
    invitee = UserFactory()
    invitation = services.invitation_create(
        group=world["group"], by=world["moderator"], user=invitee
    )
    client.force_login(invitee)
    assert (
        client.post(
            f"/en/groups/invitations/{invitation.token}/", {"answer": "decline"}
        ).status_code
        == 302
    )
    before = snapshot()
    response = client.post(f"/en/groups/invitations/{invitation.token}/", {"answer": "accept"})
    assert response.status_code == 400
    assert "This invitation has already been answered or withdrawn." in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_a_moderator_acting_on_another_group(client, world):
    """Alpha's moderator tries Beta's queue, Beta's request through Alpha's URL, and Beta's
    members."""
    applicant = UserFactory()
    beta_request = services.join_request_create(group=world["other"], user=applicant, message="Hi")
    beta_member = UserFactory(username="betamember")
    MembershipFactory(group=world["other"], user=beta_member)
    client.force_login(world["moderator"])
    before = snapshot()

    response = client.post(
        f"/en/groups/beta/requests/{beta_request.pk}/", {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 403
    assert "Only the group&#x27;s moderators can do this." in response.content.decode()

    # Beta's request id through Alpha's URL: not Alpha's request.
    assert (
        client.post(
            f"/en/groups/alpha/requests/{beta_request.pk}/", {"decision": "approve"}
        ).status_code
        == 404
    )

    for action, data in (
        ("remove", {"remove-reason": "x"}),
        ("ban", {"ban-reason": "x"}),
        ("role", {"role": "moderator"}),
    ):
        response = client.post(
            f"/en/groups/beta/members/{beta_member.pk}/", {"action": action, **data}
        )
        assert response.status_code == 403, action
    response = client.post("/en/groups/beta/invitations/", {"invitee": "someone@example.org"})
    assert response.status_code == 403
    response = client.post("/en/groups/beta/settings/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert snapshot() == before

    with pytest.raises(PermissionDenied):
        services.join_request_approve(join_request=beta_request, by=world["moderator"])
    with pytest.raises(PermissionDenied):
        services.ban_create(group=world["other"], user=beta_member, by=world["moderator"])
    assert snapshot() == before


@pytest.mark.django_db
def test_last_owner_cannot_leave_without_handing_over(client, world):
    client.force_login(world["owner"])
    before = snapshot()
    response = client.post("/en/groups/alpha/leave/")
    assert response.status_code == 400
    assert "You are the last owner" in response.content.decode()
    assert snapshot() == before
    # Demoting oneself as the last owner is refused too.
    response = client.post(
        f"/en/groups/alpha/members/{world['owner'].pk}/", {"action": "role", "role": "member"}
    )
    assert response.status_code in (400, 403)
    assert snapshot() == before
    # Hand over, then leave.
    response = client.post(
        f"/en/groups/alpha/members/{world['moderator'].pk}/", {"action": "role", "role": "owner"}
    )
    assert response.status_code == 302
    assert client.post("/en/groups/alpha/leave/").status_code == 302
    assert not Membership.objects.filter(group=world["group"], user=world["owner"]).exists()


@pytest.mark.django_db
def test_invalid_forms_keep_the_input(client, world):
    client.force_login(world["moderator"])
    response = client.post(
        "/en/groups/alpha/invitations/", {"invitee": "@nobody-here", "message": "keep me"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No member with the handle @nobody-here." in html and "keep me" in html
    response = client.get("/en/groups/?kind=bogus")
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
