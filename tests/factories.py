"""Model factories shared by the whole suite."""

import factory
from allauth.account.models import EmailAddress

from people.models import User

TEST_PASSWORD = "a-Long-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary email address who can log in at once."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    preferred_language = "en"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


# groups ---------------------------------------------------------------------------------

from groups.models import GroupPage, Membership, WorkingGroup  # noqa: E402


class GroupFactory(factory.django.DjangoModelFactory):
    """A WorkingGroup (no page unless `with_page=True`; `owner=user` adds an owner)."""

    class Meta:
        model = WorkingGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    kind = WorkingGroup.Kind.THEMATIC
    visibility = WorkingGroup.Visibility.PUBLIC
    join_policy = WorkingGroup.JoinPolicy.OPEN
    topic = WorkingGroup.Topic.URBAN_MOBILITY
    region = ""
    languages = ",en,"

    @factory.post_generation
    def with_page(self, create, extracted, **kwargs):
        if create and extracted:
            from groups.services import group_index_ensure

            index = group_index_ensure()
            page = GroupPage(
                title=self.name,
                slug=self.slug,
                group=self,
                purpose=f"Purpose of {self.name}.",
                members_note="<p>Members-only note.</p>",
                locale=index.locale,
            )
            index.add_child(instance=page)
            page.save_revision().publish()

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted is not None:
            MembershipFactory(group=self, user=extracted, role=Membership.Role.OWNER)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership made through the service, so member_count and the log stay right."""

    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from groups.services import membership_add

        return membership_add(**kwargs)


# discussions ----------------------------------------------------------------------------

from discussions.models import ContentStatus, Post, Thread, path_segment  # noqa: E402


def _ensure_member(group, user, role=Membership.Role.MEMBER):
    if not Membership.objects.filter(group=group, user=user).exists():
        MembershipFactory(group=group, user=user, role=role)
    return user


class ThreadFactory(factory.django.DjangoModelFactory):
    """A thread started through `discussions.services.thread_start` (the author is made a
    member of the group first if needed)."""

    class Meta:
        model = Thread

    group = factory.SubFactory(GroupFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thread number {n}")
    body = "The opening post."
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, group, author, title, body, language, **kwargs):
        from discussions.services import thread_start

        _ensure_member(group, author)
        return thread_start(group=group, author=author, title=title, body=body, language=language)


class PostFactory(factory.django.DjangoModelFactory):
    """A reply made through `discussions.services.post_reply`; `parent=None` replies to the
    thread. The author is made a member of the group first if needed."""

    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    parent = None
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Reply number {n}.")
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, thread, parent, author, body, language, **kwargs):
        from discussions.services import post_reply

        _ensure_member(thread.group, author)
        return post_reply(thread=thread, parent=parent, author=author, body=body, language=language)


def build_tree(
    thread,
    authors,
    n: int,
    *,
    top_level: int = 10,
    seed: int = 7,
    max_depth: int | None = None,
    body="A reply with *some* Markdown and a [link](https://example.org).",
) -> list:
    """Bulk-create `n` published replies in `thread` (for size tests and the benchmark):
    `top_level` new branches under the opening post, then each reply under a random new
    post, so branches nest several levels deep (never deeper than `max_depth`, if given).
    Paths and counters match what the services maintain (checked in
    tests/discussions/test_tree.py). Returns the posts in creation order."""
    import random

    from django.db.models import F

    from discussions.rendering import render_markdown

    rng = random.Random(seed)
    html = render_markdown(body).html
    root = Post.objects.get(thread=thread, depth=0)
    nodes = [(root.path, 0)]
    seq: dict[str, int] = {root.path: root.last_child_seq}
    plan = []  # (parent path, path, depth)
    for i in range(n):
        pick = 0 if i < top_level else rng.randrange(1, len(nodes))
        parent_path, parent_depth = nodes[pick]
        while max_depth is not None and parent_depth >= max_depth:
            parent_path, parent_depth = nodes[rng.randrange(1, len(nodes))]
        seq[parent_path] = seq.get(parent_path, 0) + 1
        path = parent_path + path_segment(seq[parent_path])
        nodes.append((path, parent_depth + 1))
        plan.append((parent_path, path, parent_depth + 1))
    by_path = {root.path: root}
    created = []
    for depth in sorted({d for _p, _q, d in plan}):
        batch = [
            Post(
                thread=thread,
                group=thread.group,
                parent=by_path[pp],
                path=p,
                depth=d,
                author=authors[i % len(authors)],
                body=body,
                body_html=html,
                language="en",
                status=ContentStatus.PUBLISHED,
                last_child_seq=seq.get(p, 0),
            )
            for i, (pp, p, d) in enumerate(plan)
            if d == depth
        ]
        for post in Post.objects.bulk_create(batch):
            by_path[post.path] = post
            created.append(post)
    # Counters, as the services keep them.
    width = len(path_segment(0))
    children: dict[str, int] = {}
    descendants: dict[str, int] = {}
    for parent_path, p, _d in plan:
        children[parent_path] = children.get(parent_path, 0) + 1
        for k in range(0, len(p), width):
            descendants[p[:k]] = descendants.get(p[:k], 0) + 1
    root.child_count += children.get(root.path, 0)
    root.descendant_count += descendants.get(root.path, 0)
    root.last_child_seq = seq[root.path]
    for post in created:
        post.child_count = children.get(post.path, 0)
        post.descendant_count = descendants.get(post.path, 0)
        post.last_child_seq = seq.get(post.path, 0)
    Post.objects.bulk_update(
        [root, *created], ["child_count", "descendant_count", "last_child_seq"], batch_size=500
    )
    Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + n)
    return created


# knowledge ------------------------------------------------------------------------------

import datetime as _dt  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from knowledge.models import (  # noqa: E402
    EventIndexPage,
    EventPage,
    ExpertProfile,
    FundingOpportunity,
    GoodPracticeIndexPage,
    GoodPracticePage,
    LanguageSkill,
    ProjectIdea,
)


def knowledge_index(model, language: str = "en"):
    """The practice database / events calendar in that language (created when missing)."""
    from knowledge.services import knowledge_pages_ensure

    knowledge_pages_ensure(languages=["en", language] if language != "en" else ["en"])
    return model.objects.get(locale__language_code=language)


class _PageFactory(factory.Factory):
    """Builds a page and publishes it under its index (`live=False` keeps it a draft)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, live=True, language="en", **kwargs):
        index = knowledge_index(cls._index_model, language)
        page = model_class(live=live, **kwargs)
        index.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
        return page


class GoodPracticeFactory(_PageFactory):
    class Meta:
        model = GoodPracticePage

    _index_model = GoodPracticeIndexPage
    title = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    city = "Kumasi"
    country = "GH"
    region = "sub-saharan-africa"
    topics = ",urban-mobility,"
    sdgs = ",11,"
    summary = factory.LazyAttribute(lambda p: f"Summary of {p.title}.")


class EventFactory(_PageFactory):
    """A public event a month ahead, in Nairobi's zone, 10 places."""

    class Meta:
        model = EventPage

    _index_model = EventIndexPage
    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = "conference"
    time_zone = "Africa/Nairobi"
    starts_at = factory.LazyFunction(
        lambda: (_tz.now() + _dt.timedelta(days=30)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + _dt.timedelta(hours=8))
    city = "Nairobi"
    country = "KE"
    languages = ",en,"
    capacity = 10


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    """A listed expert (with the languages given as `languages=[("fr", "fluent")]`)."""

    class Meta:
        model = ExpertProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, country="GH", city="Accra", organisation="Accra Metropolitan Assembly"
    )
    position = "Urban planner"
    expertise = ",urban-mobility,"
    bio = "Planner."
    listed = True
    available_for_missions = True

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            for code, level in extracted:
                LanguageSkill.objects.create(user=self.user, language=code, level=level)


class ProjectIdeaFactory(factory.django.DjangoModelFactory):
    """Made through the service, so the team and the first history row exist."""

    class Meta:
        model = ProjectIdea

    group = factory.SubFactory(GroupFactory)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Project idea {n}")
    problem = "Too many cars."
    region = "sub-saharan-africa"
    topics = ",urban-mobility,"

    @classmethod
    def _create(cls, model_class, *args, group, created_by, **kwargs):
        from knowledge.services import project_idea_create

        if not Membership.objects.filter(group=group, user=created_by).exists():
            MembershipFactory(group=group, user=created_by)
        return project_idea_create(group=group, by=created_by, **kwargs)


class FundingOpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingOpportunity

    funder = "Development Fund"
    programme = factory.Sequence(lambda n: f"Programme {n}")
    deadline = factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=60))
    regions = ""
    topics = ""
    link = "https://funding.example.org/call"


# partners -------------------------------------------------------------------------------


def create_partner(
    *,
    name: str = "Test Association",
    slug: str | None = None,
    region: str = "africa",
    languages=("en", "fr"),
    **kwargs,
):
    """Onboard an association through `partners.services.partner_section_create` (pages in
    its languages, editors' and moderators' groups, permissions, collection)."""
    from django.utils.text import slugify

    from partners.services import partner_section_create

    return partner_section_create(
        name=name, slug=slug or slugify(name), region=region, languages=list(languages), **kwargs
    )


def partner_editor(association, **kwargs):
    """A member who edits `association`'s section (its editors' group)."""
    from partners.services import partner_editor_add

    user = UserFactory(**kwargs)
    partner_editor_add(association=association, user=user)
    return user


def partner_moderator(association, **kwargs):
    """A member who moderates for `association` (its moderators' group)."""
    from partners.services import partner_moderator_add

    user = UserFactory(**kwargs)
    partner_moderator_add(association=association, user=user)
    return user


# a small world with one of everything (the hostile-input fuzz walks every URL with it) ---


def build_world() -> dict:
    """One of each thing a URL can name, with real ids: a public group with its page, a
    thread with a reply and a report, a notification, a join request, an invitation, a
    ban, an expert, a contact request, a practice, an event, a project idea, a funding
    call, a partner section and a document. Returns the objects by name; `member` owns
    the group (so moderator-only views run their forms), `outsider` is a plain member of
    no group, `admin` a superuser. Needs the site tree (the `site_tree` fixture)."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from groups import services as group_services
    from inbox.models import Notification
    from inbox.tokens import unsubscribe_token
    from knowledge.models import ContactRequest

    member = UserFactory(username="fuzzmember", country="GH", city="Accra")
    other = UserFactory(username="fuzzother")
    outsider = UserFactory(username="fuzzoutsider")
    applicant = UserFactory(username="fuzzapplicant")
    invitee = UserFactory(username="fuzzinvitee")
    banned = UserFactory(username="fuzzbanned")
    admin = UserFactory(username="fuzzadmin", is_staff=True, is_superuser=True)
    group = GroupFactory(
        slug="fuzz-group",
        name="Fuzz group",
        with_page=True,
        owner=member,
        join_policy=WorkingGroup.JoinPolicy.REQUEST,
    )
    MembershipFactory(group=group, user=other)
    thread = ThreadFactory(group=group, author=other, title="A fuzzed thread")
    post = PostFactory(thread=thread, author=other, body="A reply to fuzz.")
    own_post = PostFactory(thread=thread, author=member, parent=post, body="The member's reply.")
    from discussions.services import report_create

    report = report_create(post=post, reporter=member, reason="spam", details="Spam.")
    join_request = group_services.join_request_create(group=group, user=applicant, message="Hi")
    invitation = group_services.invitation_create(group=group, by=member, user=invitee)
    group_services.ban_create(group=group, user=banned, by=member, reason="spam")
    notification = Notification.objects.create(
        recipient=member,
        actor=other,
        verb="reply",
        group_key=f"reply:t:{thread.pk}",
        url=thread.get_absolute_url(),
        thread_ref=thread.pk,
        group_ref=group.pk,
        data={"thread": thread.title, "actor": other.public_name},
    )
    expert = ExpertProfileFactory(user=other, languages=[("fr", "fluent")])
    ExpertProfileFactory(user=member, languages=[("en", "native")])
    ContactRequest.objects.create(sender=other, recipient=member, subject="Hello", message="Hi")
    practice = GoodPracticeFactory(title="Fuzz practice", slug="fuzz-practice")
    GoodPracticeContact.objects.create(page=practice, user=other)
    GoodPracticeGroup.objects.create(page=practice, group=group)
    event = EventFactory(title="Fuzz event", slug="fuzz-event", group=group)
    idea = ProjectIdeaFactory(group=group, created_by=member, title="Fuzz idea")
    funding = FundingOpportunityFactory()
    association = create_partner(name="Fuzz Association", slug="fuzz-association")
    document = Document.objects.create(
        title="Report",
        file=ContentFile(b"<html><script>alert(1)</script></html>", name="report.pdf"),
    )
    return {
        "member": member,
        "other": other,
        "outsider": outsider,
        "admin": admin,
        "applicant": applicant,
        "invitee": invitee,
        "banned": banned,
        "group": group,
        "thread": thread,
        "post": post,
        "own_post": own_post,
        "report": report,
        "join_request": join_request,
        "invitation": invitation,
        "notification": notification,
        "unsubscribe_token": unsubscribe_token(user_id=member.pk, group_ref=group.pk),
        "expert": expert,
        "practice": practice,
        "event": event,
        "idea": idea,
        "funding": funding,
        "association": association,
        "document": document,
    }


from knowledge.models import GoodPracticeContact, GoodPracticeGroup  # noqa: E402
