"""Membership flows end to end: requests, invitations (also by email across sign-up), roles,
bans, leaving, the log, signals, the dashboard."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groups import permissions as perms
from groups import services, signals
from groups.models import Ban, Invitation, JoinRequest, Membership, MembershipLogEntry
from people.models import User
from tests.factories import TEST_PASSWORD, GroupFactory, MembershipFactory, UserFactory


@pytest.fixture
def group(site_tree):
    owner = UserFactory(username="owner", display_name="Olga Owner")
    g = GroupFactory(
        name="Climate adaptation",
        slug="climate",
        join_policy="request",
        with_page=True,
        owner=owner,
    )
    g.owner = owner
    return g


@pytest.fixture
def moderator(group):
    user = UserFactory(username="mod", display_name="Moe Moderator")
    MembershipFactory(group=group, user=user, role=Membership.Role.MODERATOR)
    return user


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.django_db
def test_request_approve_flow_and_applicant_sees_status(client, group, moderator):
    applicant = UserFactory(username="kwame")
    client.force_login(applicant)
    response = client.post(
        "/en/groups/climate/request/", {"message": "Kumasi is drafting a heat plan."}
    )
    assert response.status_code == 302
    assert "waiting for a moderator" in client.get("/en/groups/climate/request/").content.decode()
    assert "waiting for a moderator" in client.get("/en/groups/climate/").content.decode()

    client.force_login(moderator)
    queue = client.get("/en/groups/climate/requests/").content.decode()
    assert "Kumasi is drafting a heat plan." in queue
    join_request = JoinRequest.objects.get(user=applicant)
    response = client.post(
        f"/en/groups/climate/requests/{join_request.pk}/",
        {"decision": "approve", "reason": "Welcome"},
    )
    assert response.status_code == 302
    assert perms.is_member(applicant, group)
    group.refresh_from_db()
    assert group.member_count == 3

    client.force_login(applicant)
    dashboard = client.get("/en/me/").content.decode()
    assert "Climate adaptation" in dashboard and "Approved" in dashboard


@pytest.mark.django_db
def test_declined_request_shows_the_reason_to_the_applicant(client, group, moderator):
    applicant = UserFactory()
    join_request = services.join_request_create(group=group, user=applicant, message="Hi")
    services.join_request_decline(
        join_request=join_request, by=moderator, reason="Only for city staff."
    )
    client.force_login(applicant)
    page = client.get("/en/groups/climate/request/").content.decode()
    assert "Declined" in page and "Only for city staff." in page
    assert "Only for city staff." in client.get("/en/me/").content.decode()
    # A declined applicant may ask again later.
    assert (
        client.post(
            "/en/groups/climate/request/", {"message": "I am now with the city."}
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_withdraw_a_request(client, group):
    applicant = UserFactory()
    services.join_request_create(group=group, user=applicant)
    client.force_login(applicant)
    assert client.post("/en/groups/climate/request/", {"withdraw": "1"}).status_code == 302
    assert JoinRequest.objects.get(user=applicant).status == "withdrawn"


@pytest.mark.django_db
def test_invite_registered_member_by_handle_and_accept(
    client, group, moderator, django_capture_on_commit_callbacks
):
    from groups.services import group_index_ensure

    group_index_ensure(language="fr", title="Groupes de travail")
    invitee = UserFactory(username="amina", preferred_language="fr")
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/groups/climate/invitations/", {"invitee": "@amina", "message": "Join us!"}
        )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == [invitee.email]
    assert "Moe Moderator" in message.body and "Join us!" in message.body
    # In the invitee's language (French), subject and body.
    assert message.subject == "Invitation au groupe de travail « Climate adaptation » sur Plaza"
    assert "vous invite à rejoindre le groupe de travail" in message.body
    link = path_of(re.search(r"https?://\S+/invitations/\S+/", message.body).group(0))
    assert link.startswith("/fr/groups/invitations/")  # in the invitee's language

    client.force_login(invitee)
    assert "Climate adaptation" in client.get("/fr/me/").content.decode()
    assert client.post(link, {"answer": "accept"}).status_code == 302
    assert perms.is_member(invitee, group)
    assert Invitation.objects.get().status == "accepted"


@pytest.mark.django_db
def test_emailed_invitation_survives_sign_up(
    client, group, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(group=group, by=moderator, email="New.Person@Example.org")
    link = path_of(re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0))
    # Not signed in: the page explains how to answer.
    page = client.get(link).content.decode()
    assert "Sign up" in page and "Log in" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/signup/",
            {
                "email": "new.person@example.org",
                "username": "newperson",
                "display_name": "New Person",
                "password1": TEST_PASSWORD,
                "password2": TEST_PASSWORD,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="newperson")
    assert Invitation.objects.get().user is None  # not before the address is confirmed
    confirm = path_of(re.search(r"https?://\S+", mail.outbox[-1].body).group(0))
    client.post(confirm)
    invitation = Invitation.objects.get()
    assert invitation.user == user

    client.force_login(user)
    dashboard = client.get("/en/me/").content.decode()
    assert "Climate adaptation" in dashboard and "Answer the invitation" in dashboard
    assert client.post(link, {"answer": "accept"}).status_code == 302
    assert perms.is_member(user, group)


@pytest.mark.django_db
def test_invitations_expire(client, group, moderator):
    invitee = UserFactory()
    invitation = services.invitation_create(group=group, by=moderator, user=invitee)
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(invitee)
    page = client.get(f"/en/groups/invitations/{invitation.token}/").content.decode()
    assert "Expired" in page
    # An expired invitation does not block a new one.
    services.invitation_create(group=group, by=moderator, user=invitee)
    assert Invitation.objects.filter(group=group, user=invitee).count() == 2


@pytest.mark.django_db
def test_ban_blocks_rejoin_and_reinvite_until_lifted(client, group, moderator):
    member = UserFactory(username="troll")
    MembershipFactory(group=group, user=member)
    client.force_login(moderator)
    response = client.post(
        f"/en/groups/climate/members/{member.pk}/", {"action": "ban", "ban-reason": "Spam links"}
    )
    assert response.status_code == 302
    assert not perms.is_member(member, group) and perms.is_banned(member, group)
    with pytest.raises(ValidationError):
        services.invitation_create(group=group, by=moderator, user=member)
    with pytest.raises(ValidationError):
        services.join_request_create(group=group, user=member)
    assert "Spam links" in client.get("/en/groups/climate/bans/").content.decode()

    assert (
        client.post(
            f"/en/groups/climate/bans/{member.pk}/lift/", {"reason": "Apologised"}
        ).status_code
        == 302
    )
    assert not Ban.objects.exists()
    services.invitation_create(group=group, by=moderator, user=member)  # allowed again
    log = client.get("/en/groups/climate/log/").content.decode()
    assert (
        "banned" in log and "Spam links" in log and "lifted the ban" in log and "Apologised" in log
    )


@pytest.mark.django_db
def test_role_rules(group, moderator):
    owner = group.owner
    member = UserFactory()
    other_mod = UserFactory()
    MembershipFactory(group=group, user=member)
    MembershipFactory(group=group, user=other_mod, role=Membership.Role.MODERATOR)
    # Moderators promote members to moderator...
    services.membership_set_role(group=group, user=member, role="moderator", by=moderator)
    # ...and demote them again, but cannot make owners or touch owners.
    services.membership_set_role(group=group, user=member, role="member", by=moderator)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(group=group, user=member, role="owner", by=moderator)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(group=group, user=owner, role="member", by=moderator)
    # Moderators cannot remove or ban fellow moderators; owners can.
    with pytest.raises(PermissionDenied):
        services.membership_remove(group=group, user=other_mod, by=moderator)
    with pytest.raises(PermissionDenied):
        services.ban_create(group=group, user=other_mod, by=moderator)
    services.membership_remove(group=group, user=other_mod, by=owner, reason="Stepped down")
    # Members cannot moderate at all.
    with pytest.raises(PermissionDenied):
        services.membership_remove(group=group, user=moderator, by=member)
    # Owners hand over; then the old owner may leave.
    services.membership_set_role(group=group, user=moderator, role="owner", by=owner)
    services.membership_leave(group=group, user=owner)
    group.refresh_from_db()
    assert group.member_count == 2
    assert list(group.memberships.values_list("role", flat=True).order_by("role")) == [
        "member",
        "owner",
    ]


@pytest.mark.django_db
def test_members_leave(client, group):
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    client.force_login(member)
    assert "Leave the group" in client.get("/en/groups/climate/leave/").content.decode()
    assert client.post("/en/groups/climate/leave/").status_code == 302
    assert not perms.is_member(member, group)
    assert client.post("/en/groups/climate/leave/").status_code == 400


@pytest.mark.django_db
def test_settings_change_by_owner_is_logged(client, group, moderator):
    client.force_login(moderator)
    assert client.get("/en/groups/climate/settings/").status_code == 403
    client.force_login(group.owner)
    data = {
        "name": "Climate adaptation",
        "kind": "thematic",
        "visibility": "members",
        "join_policy": "invite",
        "topic": "climate-adaptation",
        "region": "",
        "languages": ["en", "fr"],
    }
    assert client.post("/en/groups/climate/settings/", data).status_code == 302
    group.refresh_from_db()
    assert (group.visibility, group.join_policy, group.language_list) == (
        "members",
        "invite",
        ["en", "fr"],
    )
    assert MembershipLogEntry.objects.filter(group=group, action="settings_changed").exists()


@pytest.mark.django_db
def test_signals_are_part_of_the_write(group, moderator, django_capture_on_commit_callbacks):
    """Events are sent inside the service's transaction (core.events.emit), so what the
    receivers store commits with the change."""
    received = []

    def listener(signal_name):
        def receive(sender, **kwargs):
            received.append((signal_name, kwargs))

        return receive

    receivers = {
        name: listener(name)
        for name in (
            "member_joined",
            "member_left",
            "join_requested",
            "join_request_decided",
            "member_invited",
            "member_banned",
            "role_changed",
        )
    }
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, weak=False)
    try:
        applicant = UserFactory()
        with django_capture_on_commit_callbacks():
            join_request = services.join_request_create(group=group, user=applicant, message="hi")
            assert [name for name, _kwargs in received] == ["join_requested"]  # before commit
        with django_capture_on_commit_callbacks(execute=True):
            services.join_request_approve(join_request=join_request, by=moderator)
            services.membership_set_role(
                group=group, user=applicant, role="moderator", by=group.owner
            )
            services.invitation_create(group=group, by=moderator, email="x@example.org")
            services.ban_create(group=group, user=applicant, by=group.owner, reason="r")
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver)
    names = [name for name, _kwargs in received]
    assert names == [
        "join_requested",
        "member_joined",
        "join_request_decided",
        "role_changed",
        "member_invited",
        "member_left",
        "member_banned",
    ]
    decided = dict(received)["join_request_decided"]
    assert (
        decided["approved"] is True
        and decided["group_id"] == group.pk
        and decided["user_id"] == applicant.pk
    )


@pytest.mark.django_db
def test_group_touch_activity_only_moves_forward(group):
    later = timezone.now() + timedelta(hours=1)
    services.group_touch_activity(group=group, at=later)
    services.group_touch_activity(group=group, at=later - timedelta(days=3))
    group.refresh_from_db()
    assert group.last_activity_at == later


@pytest.mark.django_db
def test_site_admin_creates_a_group_in_the_site(client, site_tree):
    from groups.services import group_index_ensure

    group_index_ensure()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(UserFactory())
    assert client.get("/en/groups/new/").status_code == 403
    client.force_login(admin)
    response = client.post(
        "/en/groups/new/",
        {
            "name": "Energy efficiency",
            "slug": "energy",
            "purpose": "Street lights.",
            "kind": "thematic",
            "topic": "energy-efficiency",
            "region": "",
            "visibility": "public",
            "join_policy": "open",
            "languages": ["en"],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/en/groups/energy/"
    assert "Street lights." in client.get("/en/groups/energy/").content.decode()
    assert perms.is_owner(admin, Membership.objects.get(user=admin).group)
