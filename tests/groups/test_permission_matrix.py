"""The permission matrix: persona × action × visibility × join policy, each cell explicit.

Personas: anonymous, outsider (signed in, not a member), applicant (pending join request),
invitee (open invitation), member, moderator, owner, banned, admin (site admin).

Actions, all through the real views:
- see:      is the group listed in the directory (/en/groups/)?
- open:     status of GET on the group page
- members:  status of GET on the member list
- moderate: status of GET on the moderation queue (join requests)
- join:     the persona's way in: the invitee accepts their invitation; everyone else
            POSTs to join/ (open and invitation-only groups) or request/ (on-request groups).
            Outcomes: "joined", "requested", "login" (sent to log in), "404", or "400:<why>"
            with why in {already, banned, pending, invite-only}.
"""

import pytest

from groups.models import Ban, Invitation, JoinRequest, Membership, WorkingGroup
from tests.factories import GroupFactory, MembershipFactory, UserFactory

PERSONAS = [
    "anonymous",
    "outsider",
    "applicant",
    "invitee",
    "member",
    "moderator",
    "owner",
    "banned",
    "admin",
]

# (see in directory, open page, read members, moderate) — the same for every join policy.
VIEW = {
    "public": {
        "anonymous": (True, 200, 200, 302),
        "outsider": (True, 200, 200, 403),
        "applicant": (True, 200, 200, 403),
        "invitee": (True, 200, 200, 403),
        "member": (True, 200, 200, 403),
        "moderator": (True, 200, 200, 200),
        "owner": (True, 200, 200, 200),
        "banned": (True, 200, 200, 403),
        "admin": (True, 200, 200, 200),
    },
    "members": {
        "anonymous": (True, 200, 403, 302),
        "outsider": (True, 200, 403, 403),
        "applicant": (True, 200, 403, 403),
        "invitee": (True, 200, 403, 403),
        "member": (True, 200, 200, 403),
        "moderator": (True, 200, 200, 200),
        "owner": (True, 200, 200, 200),
        "banned": (True, 200, 403, 403),
        "admin": (True, 200, 200, 200),
    },
    "secret": {
        "anonymous": (False, 404, 404, 404),
        "outsider": (False, 404, 404, 404),
        "applicant": (False, 404, 404, 404),
        "invitee": (False, 404, 404, 404),
        "member": (True, 200, 200, 403),
        "moderator": (True, 200, 200, 200),
        "owner": (True, 200, 200, 200),
        "banned": (False, 404, 404, 404),
        "admin": (True, 200, 200, 200),
    },
}

# join outcome per (visibility, join policy) and persona.
JOIN = {
    ("public", "open"): {
        "anonymous": "login",
        "outsider": "joined",
        "applicant": "joined",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "400:banned",
        "admin": "joined",
    },
    ("public", "request"): {
        "anonymous": "login",
        "outsider": "requested",
        "applicant": "400:pending",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "400:banned",
        "admin": "requested",
    },
    ("public", "invite"): {
        "anonymous": "login",
        "outsider": "400:invite-only",
        "applicant": "400:invite-only",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "400:banned",
        "admin": "400:invite-only",
    },
    ("members", "open"): {
        "anonymous": "login",
        "outsider": "joined",
        "applicant": "joined",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "400:banned",
        "admin": "joined",
    },
    ("members", "request"): {
        "anonymous": "login",
        "outsider": "requested",
        "applicant": "400:pending",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "400:banned",
        "admin": "requested",
    },
    ("members", "invite"): {
        "anonymous": "login",
        "outsider": "400:invite-only",
        "applicant": "400:invite-only",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "400:banned",
        "admin": "400:invite-only",
    },
    ("secret", "open"): {
        "anonymous": "404",
        "outsider": "404",
        "applicant": "404",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "404",
        "admin": "joined",
    },
    ("secret", "request"): {
        "anonymous": "404",
        "outsider": "404",
        "applicant": "404",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "404",
        "admin": "requested",
    },
    ("secret", "invite"): {
        "anonymous": "404",
        "outsider": "404",
        "applicant": "404",
        "invitee": "joined",
        "member": "400:already",
        "moderator": "400:already",
        "owner": "400:already",
        "banned": "404",
        "admin": "400:invite-only",
    },
}

MESSAGES = {
    "already": "You are already a member of this group.",
    "banned": "You are banned from this group.",
    "pending": "You have already asked to join",
    "invite-only": "This group is by invitation only.",
}

CASES = [(v, p, persona) for (v, p) in JOIN for persona in PERSONAS]


def _setup(visibility, policy):
    """A group with a page and one person in each persona (states made directly, whatever
    the policy, so every cell exists)."""
    owner = UserFactory(username="owner")
    group = GroupFactory(
        name="Matrix group",
        slug="matrix",
        visibility=visibility,
        join_policy=policy,
        with_page=True,
        owner=owner,
    )
    people = {"anonymous": None, "owner": owner}
    for name in ("outsider", "applicant", "invitee", "member", "moderator", "banned"):
        people[name] = UserFactory(username=name)
    people["admin"] = UserFactory(username="admin", is_superuser=True, is_staff=True)
    MembershipFactory(group=group, user=people["member"])
    MembershipFactory(group=group, user=people["moderator"], role=Membership.Role.MODERATOR)
    JoinRequest.objects.create(group=group, user=people["applicant"], message="please")
    Invitation.objects.create(group=group, user=people["invitee"], invited_by=owner)
    Ban.objects.create(group=group, user=people["banned"], by=owner, reason="spam")
    group.refresh_from_db()
    return group, people


def _client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "visibility,policy,persona", CASES, ids=[f"{v}-{p}-{who}" for v, p, who in CASES]
)
def test_permission_matrix(client, site_tree, visibility, policy, persona):
    group, people = _setup(visibility, policy)
    user = people[persona]
    client = _client_for(client, user)
    see, open_status, members_status, moderate_status = VIEW[visibility][persona]
    base = "/en/groups/matrix/"

    # see in directory (and in its count)
    listing = client.get("/en/groups/")
    assert listing.status_code == 200
    assert ("Matrix group" in listing.content.decode()) is see, "see"
    assert listing.context["page_obj"].paginator.count == (1 if see else 0), "count"

    # open the page
    assert client.get(base).status_code == open_status, "open"

    # read the member list
    response = client.get(base + "members/")
    assert response.status_code == members_status, "members"
    if members_status == 200:
        assert "@member" in response.content.decode()
    elif members_status == 403:
        assert "Only members of this group can see this." in response.content.decode()

    # moderate (the join-request queue)
    response = client.get(base + "requests/")
    assert response.status_code == moderate_status, "moderate"
    if moderate_status == 302:
        assert response["Location"].startswith("/en/accounts/login/")
    if moderate_status == 200:
        assert "@applicant" in response.content.decode()

    # join
    expected = JOIN[(visibility, policy)][persona]
    memberships_before = Membership.objects.filter(group=group).count()
    requests_before = JoinRequest.objects.filter(group=group).count()
    if persona == "invitee":
        token = Invitation.objects.get(user=user).token
        response = client.post(f"/en/groups/invitations/{token}/", {"answer": "accept"})
    elif policy == "request":
        response = client.post(base + "request/", {"message": "Hello"})
    else:
        response = client.post(base + "join/")

    if expected == "joined":
        assert response.status_code == 302
        assert Membership.objects.filter(group=group, user=user, role="member").exists()
        group.refresh_from_db()
        assert group.member_count == memberships_before + 1
    elif expected == "requested":
        assert response.status_code == 302
        assert JoinRequest.objects.filter(group=group, user=user, status="pending").count() == 1
        assert JoinRequest.objects.filter(group=group).count() == requests_before + 1
        assert not Membership.objects.filter(group=group, user=user).exists()
    else:
        if expected == "login":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif expected == "404":
            assert response.status_code == 404
        else:
            status, why = expected.split(":")
            assert response.status_code == int(status)
            assert MESSAGES[why] in response.content.decode()
        # nothing changed
        assert Membership.objects.filter(group=group).count() == memberships_before
        assert JoinRequest.objects.filter(group=group).count() == requests_before


@pytest.mark.django_db
def test_matrix_table_is_complete():
    """Every (visibility, policy) has a row for every persona, with a known outcome."""
    assert set(VIEW) == set(WorkingGroup.Visibility.values)
    assert {p for _v, p in JOIN} == set(WorkingGroup.JoinPolicy.values)
    for rows in (*VIEW.values(), *JOIN.values()):
        assert list(rows) == PERSONAS


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", list(VIEW))
def test_permission_functions_agree_with_the_matrix(site_tree, visibility):
    """The plain functions (and querysets) other apps call give the same answers as the pages."""
    from django.contrib.auth.models import AnonymousUser

    from groups import permissions as perms

    group, people = _setup(visibility, "open")
    for persona in PERSONAS:
        user = people[persona] or AnonymousUser()
        see, open_status, members_status, moderate_status = VIEW[visibility][persona]
        where = (visibility, persona)
        assert perms.can_view_group(user, group) is (open_status == 200), where
        assert perms.can_read_content(user, group) is (members_status == 200), where
        assert perms.can_moderate(user, group) is (moderate_status == 200), where
        assert (group in perms.viewable_groups(user)) is see, where
        assert (group in perms.readable_groups(user)) is (members_status == 200), where
        assert (group in perms.moderated_groups(user)) is (moderate_status == 200), where
        assert perms.can_post(user, group) is (persona in ("member", "moderator", "owner")), where
        assert perms.can_manage(user, group) is (persona in ("owner", "admin")), where
