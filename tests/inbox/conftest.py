"""Fixtures for the inbox tests: a group with members, and running on_commit callbacks
(domain events and the inbox's own after-commit work) inside a test transaction."""

import pytest
from django.test.utils import override_settings

from tests.factories import GroupFactory, MembershipFactory, UserFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs everything scheduled with on_commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _no_pace_limit():
    # Tests write many posts per member per minute.
    with override_settings(DISCUSSIONS_POSTS_PER_MINUTE=10_000):
        yield


@pytest.fixture
def make_group(db):
    """make_group(n_members, visibility=...) -> (group, owner, [members])."""

    def make(n: int = 3, **kwargs):
        owner = UserFactory()
        group = GroupFactory(owner=owner, **kwargs)
        members = [MembershipFactory(group=group).user for _ in range(n)]
        return group, owner, members

    return make
