"""Fixtures for the discussions tests."""

import pytest

from groups.models import Membership, WorkingGroup
from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    # Tests write many posts quickly; the limit itself is tested with its own value.
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10_000


@pytest.fixture(autouse=True)
def _english_around_each_test():
    # A request to /de/... leaves German active in the thread: start each test in the
    # default language and do not leak another one to later tests.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def public_group(db):
    return GroupFactory(visibility=WorkingGroup.Visibility.PUBLIC)


@pytest.fixture
def private_group(db):
    return GroupFactory(visibility=WorkingGroup.Visibility.MEMBERS)


@pytest.fixture
def secret_group(db):
    return GroupFactory(
        visibility=WorkingGroup.Visibility.SECRET, join_policy=WorkingGroup.JoinPolicy.INVITE
    )


def make_member(group, role=Membership.Role.MEMBER, **user_kwargs):
    user = UserFactory(**user_kwargs)
    MembershipFactory(group=group, user=user, role=role)
    return user


@pytest.fixture
def member_factory():
    return make_member


@pytest.fixture
def thread_in(db):
    """thread_in(group, **kwargs): a thread by a fresh member of `group`."""

    def make(group, author=None, **kwargs):
        author = author or make_member(group)
        return ThreadFactory(group=group, author=author, **kwargs)

    return make
