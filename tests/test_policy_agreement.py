"""Every policy answers three forms of each question from one rule; here they must agree.

For each persona × visibility × join policy × action, on groups, threads, events and
project ideas:
- the bool (`user_has_permission_for_instance`) is what the table below says;
- the object is in `instances_user_has_permission_for(user, action)` exactly when the bool
  is true;
- the user is in `users_with_permission_for_instance(action, object)` exactly when the
  bool is true (accounts only: visitors and inactive accounts are never "told").

The groups live in a partner association's section, so its moderators moderate them
through the grant partners registers (groups does not import partners).
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from discussions.models import ContentStatus, Post, Thread
from discussions.permissions import post_policy, thread_policy
from groups.models import Ban, Invitation, JoinRequest, Membership, WorkingGroup
from groups.permissions import group_policy
from groups.services import group_create
from knowledge.models import EventPage, ExpertProfile
from knowledge.permissions import event_policy, idea_policy, profile_policy
from tests.factories import (
    EventFactory,
    ExpertProfileFactory,
    GroupFactory,
    MembershipFactory,
    PostFactory,
    ProjectIdeaFactory,
    ThreadFactory,
    UserFactory,
    create_partner,
    partner_moderator,
)

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "outsider",
    "applicant",
    "invitee",
    "member",
    "moderator",
    "owner",
    "banned",
    "partner_moderator",
    "partner_editor",
    "admin",
    "other_member",
    "inactive_member",
]
VISIBILITIES = list(WorkingGroup.Visibility.values)
JOIN_POLICIES = list(WorkingGroup.JoinPolicy.values)
MEMBERS = {"member", "moderator", "owner"}
POST_STATES = {
    "live": {},
    "pending": {"status": ContentStatus.PENDING},
    "hidden": {"hidden_at": timezone.now()},
    "deleted": {"deleted_at": timezone.now()},
}
MODERATORS = {"moderator", "owner", "partner_moderator"}


def expected_group(persona: str, visibility: str, action: str) -> bool:
    """The group rules as the issue states them, persona by persona."""
    member = persona in MEMBERS
    admin = persona == "admin"
    if action == "view":
        return visibility != "secret" or member or admin or persona == "partner_moderator"
    if action == "read":
        return visibility == "public" or member or admin or persona == "partner_moderator"
    if action == "post":
        return member
    if action == "moderate":
        return persona in MODERATORS or admin
    if action == "manage":
        return persona in ("owner", "admin")
    if action == "review":
        return persona in MODERATORS
    raise AssertionError(action)


@pytest.fixture
def world(site_tree, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10_000
    association = create_partner(name="Matrix Association", languages=["en"])
    others = create_partner(name="Elsewhere Association", languages=["en"])
    people = {"anonymous": AnonymousUser()}
    for name in PERSONAS[1:]:
        people[name] = UserFactory(username=name.replace("_", "-"))
    people["admin"].is_superuser = people["admin"].is_staff = True
    people["admin"].save()
    partner_moderator(others)  # moderates nothing here
    from partners.services import partner_editor_add, partner_moderator_add

    partner_moderator_add(association=association, user=people["partner_moderator"])
    partner_editor_add(association=association, user=people["partner_editor"])
    MembershipFactory(group=GroupFactory(), user=people["other_member"])

    groups, threads, events, ideas = [], [], [], []
    for visibility, join_policy in itertools.product(VISIBILITIES, JOIN_POLICIES):
        group = group_create(
            name=f"{visibility} {join_policy}",
            slug=f"{visibility}-{join_policy}",
            kind=WorkingGroup.Kind.REGIONAL,
            visibility=visibility,
            join_policy=join_policy,
            owner=people["owner"],
            parent_page=association.section,
        )
        for name in ("member", "inactive_member", "banned"):
            MembershipFactory(group=group, user=people[name])
        MembershipFactory(group=group, user=people["moderator"], role=Membership.Role.MODERATOR)
        JoinRequest.objects.create(group=group, user=people["applicant"], message="please")
        Invitation.objects.create(group=group, user=people["invitee"], invited_by=people["owner"])
        published = ThreadFactory(group=group, author=people["member"], title="Published")
        pending = ThreadFactory(group=group, author=people["member"], title="Pending")
        for state, changes in POST_STATES.items():
            for thread in (published, pending):
                post = PostFactory(thread=thread, author=people["member"], body=state)
                Post.objects.filter(pk=post.pk).update(**changes)
        Thread.objects.filter(pk=pending.pk).update(status=ContentStatus.PENDING)
        threads += [published, Thread.objects.get(pk=pending.pk)]
        for audience in EventPage.Audience.values:
            events.append(EventFactory(group=group, audience=audience))
        ideas.append(ProjectIdeaFactory(group=group, created_by=people["member"]))
        # The ban last: it ends the membership, as the service does.
        Membership.objects.filter(group=group, user=people["banned"]).delete()
        Ban.objects.create(group=group, user=people["banned"], by=people["owner"], reason="x")
        groups.append(WorkingGroup.objects.get(pk=group.pk))
    people["inactive_member"].is_active = False
    people["inactive_member"].save()
    for name in ("member", "outsider", "inactive_member"):
        ExpertProfileFactory(user=people[name], listed=True)
    ExpertProfileFactory(user=people["moderator"], listed=False)
    return {
        "people": people,
        "groups": groups,
        "threads": threads,
        "posts": list(Post.objects.filter(parent__isnull=False).select_related("thread__group")),
        "events": events,
        "ideas": ideas,
        "profiles": list(ExpertProfile.objects.select_related("user")),
    }


def fresh(user):
    """A new user object per question (no role cache carried between personas)."""
    if not user.is_authenticated:
        return AnonymousUser()
    return type(user).objects.get(pk=user.pk)


def check_agreement(policy, action: str, objects: list, people: dict, expect) -> int:
    """Assert the three forms agree with each other and with `expect`; return cells."""
    cells = 0
    users_of = {
        obj.pk: set(
            policy.users_with_permission_for_instance(action, obj).values_list("pk", flat=True)
        )
        for obj in objects
    }
    for persona, user in people.items():
        user = fresh(user)
        instances = set(
            policy.instances_user_has_permission_for(user, action)
            .filter(pk__in=[o.pk for o in objects])
            .values_list("pk", flat=True)
        )
        for obj in objects:
            where = (type(policy).__name__, action, persona, str(obj))
            answer = policy.user_has_permission_for_instance(user, action, obj)
            assert answer is expect(persona, obj), where
            assert (obj.pk in instances) is answer, where
            told = user.is_authenticated and user.pk in users_of[obj.pk]
            if user.is_authenticated and user.is_active:
                assert told is answer, where
            else:
                assert not told, where
            cells += 1
    return cells


def test_the_group_policy_agrees_with_itself_and_the_table(world):
    cells = 0
    for action in group_policy.rules:
        cells += check_agreement(
            group_policy,
            action,
            world["groups"],
            world["people"],
            lambda persona, group, action=action: expected_group(
                "anonymous" if persona == "inactive_member" else persona,
                group.visibility,
                action,
            ),
        )
    assert cells == len(group_policy.rules) * 9 * len(PERSONAS)


def _visitor(persona: str) -> str:
    return "anonymous" if persona == "inactive_member" else persona


def test_the_thread_policy_agrees(world):
    def expect(persona, thread):
        persona = _visitor(persona)
        group_read = expected_group(persona, thread.group.visibility, "read")
        moderate = expected_group(persona, thread.group.visibility, "moderate")
        visible = thread.status == ContentStatus.PUBLISHED or persona == "member" or moderate
        return group_read and visible

    check_agreement(thread_policy, "read", world["threads"], world["people"], expect)
    check_agreement(
        thread_policy,
        "moderate",
        world["threads"],
        world["people"],
        lambda persona, t: expected_group(_visitor(persona), t.group.visibility, "moderate"),
    )


def test_the_event_policy_agrees(world):
    def expect(persona, event):
        persona, visibility = _visitor(persona), event.group.visibility
        if not expected_group(persona, visibility, "view"):
            return False
        return event.audience == EventPage.Audience.PUBLIC or expected_group(
            persona, visibility, "read"
        )

    check_agreement(event_policy, "view", world["events"], world["people"], expect)


def test_the_idea_policy_agrees(world):
    def view(persona, idea):
        return expected_group(_visitor(persona), idea.group.visibility, "read")

    def edit(persona, idea):
        persona = _visitor(persona)
        return (
            persona != "anonymous"
            and view(persona, idea)
            and (persona == "member" or expected_group(persona, idea.group.visibility, "moderate"))
        )

    check_agreement(idea_policy, "view", world["ideas"], world["people"], view)
    check_agreement(idea_policy, "edit", world["ideas"], world["people"], edit)


def test_the_post_policy_agrees(world):
    def see(persona, post):
        persona, visibility = _visitor(persona), post.thread.group.visibility
        thread_read = expected_group(persona, visibility, "read") and (
            post.thread.status == ContentStatus.PUBLISHED
            or persona == "member"
            or expected_group(persona, visibility, "moderate")
        )
        return thread_read and (
            post.status == ContentStatus.PUBLISHED
            or persona == "member"
            or expected_group(persona, visibility, "moderate")
        )

    def read(persona, post):
        return (
            expected_group(_visitor(persona), post.thread.group.visibility, "read")
            and post.thread.status == ContentStatus.PUBLISHED
            and post.body == "live"
        )

    assert len(world["posts"]) == 9 * 2 * len(POST_STATES)
    check_agreement(post_policy, "see", world["posts"], world["people"], see)
    check_agreement(post_policy, "read", world["posts"], world["people"], read)


def test_the_profile_policy_agrees(world):
    def view(persona, profile):
        if persona in ("anonymous", "inactive_member"):
            return False
        own = profile.user.username == persona.replace("_", "-")
        return own or (profile.listed and profile.user.is_active)

    check_agreement(profile_policy, "view", world["profiles"], world["people"], view)
