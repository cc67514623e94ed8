"""Every text a member can send has a clear limit: on the form field, or (where the
message must show the count and keep the text) in the service, checked here end to end."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms

from tests.factories import GroupFactory, MembershipFactory, ThreadFactory, UserFactory

APPS = ("cms", "people", "groups", "discussions", "inbox", "knowledge", "partners", "core")

# Fields whose limit is the service's (a message with the count, the text kept), or set
# when the form is built.
LIMITED_ELSEWHERE = {
    "discussions.EditForm.title": "discussions.services.TITLE_MAX_LENGTH",
    "discussions.ThreadForm.title": "discussions.services.TITLE_MAX_LENGTH",
    "discussions.EditForm.body": "discussions.services.BODY_MAX_LENGTH",
    "discussions.ThreadForm.body": "discussions.services.BODY_MAX_LENGTH",
    "discussions.ReplyForm.body": "discussions.services.BODY_MAX_LENGTH",
    "discussions.ReportForm.details": "discussions.services.REPORT_DETAILS_MAX_LENGTH",
    "people.SignupForm.username": "allauth: the user model's username max_length (150)",
}


def _text_fields():
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in getattr(cls, "base_fields", {}).items():
                if isinstance(field, forms.CharField):
                    yield f"{app}.{name}.{field_name}", field


def test_every_text_field_has_a_limit():
    unlimited = [
        key
        for key, field in _text_fields()
        if field.max_length is None and key not in LIMITED_ELSEWHERE
    ]
    assert not unlimited, f"give these a max_length (or a service limit): {unlimited}"
    keys = {key for key, _field in _text_fields()}
    assert not set(LIMITED_ELSEWHERE) - keys, "an entry above names a field that is gone"


@pytest.mark.django_db
def test_the_service_limits_answer_400_and_store_nothing(client, settings):
    from discussions import services
    from discussions.models import Post, Thread

    settings.DISCUSSIONS_POSTS_PER_MINUTE = 10_000
    member = UserFactory()
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    thread = ThreadFactory(group=group)
    client.force_login(member)
    before = (Post.objects.count(), Thread.objects.count())
    too_long = "x" * (services.BODY_MAX_LENGTH + 1)
    response = client.post(
        f"/en/discussions/threads/{thread.pk}/reply/", {"body": too_long, "language": "en"}
    )
    assert response.status_code == 400
    response = client.post(
        f"/en/discussions/groups/{group.slug}/new/",
        {"title": "t" * (services.TITLE_MAX_LENGTH + 1), "body": "Hello", "language": "en"},
    )
    assert response.status_code == 400
    assert (Post.objects.count(), Thread.objects.count()) == before
