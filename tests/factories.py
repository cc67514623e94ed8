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
            page = GroupPage(title=self.name, slug=self.slug, group=self, purpose=f"Purpose of {self.name}.",
                             members_note="<p>Members-only note.</p>", locale=index.locale)
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
