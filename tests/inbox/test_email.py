"""Emails and digests: frequency, grouping, language and time zone, must-deliver,
one-click unsubscribe, and a scheduler that is safe to run twice."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from groups import services as groups
from groups.models import WorkingGroup
from inbox import services
from inbox.models import DigestDelivery, EmailState, Notification
from inbox.tokens import unsubscribe_token
from tests.factories import PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _digest_hour(settings):
    settings.INBOX_DIGEST_HOUR = 0  # due whenever the test runs


def test_daily_digest_groups_the_days_items_and_runs_once(make_group, committed):
    first, _o1, (a, b) = make_group(2)
    second, _o2, (c,) = make_group(1)
    groups.membership_add(group=second, user=a)
    with committed():
        bus = ThreadFactory(group=first, author=a, title="Bus lanes")
        PostFactory(thread=bus, author=b)
        PostFactory(thread=bus, author=b)
        parks = ThreadFactory(group=second, author=a, title="Pocket parks")
        PostFactory(thread=parks, author=c)
    assert set(Notification.objects.filter(recipient=a).values_list("email_state", flat=True)) == {
        EmailState.DAILY
    }
    mail.outbox.clear()
    call_command("send_digests")
    call_command("send_digests")  # a second run (cron overlap, a retry) sends nothing more
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [a.email] and "daily" in message.subject.lower()
    body = message.body
    # Grouped by group, then thread: each group and thread title appears once.
    assert body.count(first.name) == 1 and body.count(second.name) == 1
    assert body.count("Bus lanes") == 1 and body.count("Pocket parks") == 1
    assert (
        body.index(first.name)
        < body.index("Bus lanes")
        < body.index(second.name)
        < body.index("Pocket parks")
    )
    assert "List-Unsubscribe" in message.extra_headers
    assert DigestDelivery.objects.get(user=a).item_count == 3
    assert not Notification.objects.filter(recipient=a, email_state=EmailState.DAILY).exists()


def test_digest_waits_for_the_hour_in_the_members_time_zone(make_group, committed, settings):
    settings.INBOX_DIGEST_HOUR = 7
    group, _owner, (a, b) = make_group(2)
    a.time_zone = "Asia/Tokyo"  # UTC+9
    a.save()
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a), author=b)
    mail.outbox.clear()
    call_command("send_digests", at="2030-03-01T21:30:00+00:00")  # 06:30 in Tokyo: not yet
    assert mail.outbox == []
    call_command("send_digests", at="2030-03-01T22:30:00+00:00")  # 07:30 on 2 March in Tokyo
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get(user=a).period == "2030-03-02"


def test_weekly_digest(make_group, committed):
    group, _owner, (a, b) = make_group(2)
    services.email_preference_set(user=a, frequency="weekly")
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a), author=b)
    mail.outbox.clear()
    call_command("send_digests", at="2030-03-06T12:00:00+00:00")
    call_command("send_digests", at="2030-03-08T12:00:00+00:00")  # same ISO week
    assert len(mail.outbox) == 1 and "weekly" in mail.outbox[0].subject.lower()
    assert DigestDelivery.objects.get(user=a).period == "2030-W10"


def test_immediate_email_in_the_members_language_and_time_zone(make_group, committed):
    group, _owner, (a, b) = make_group(2)
    a.preferred_language, a.time_zone = "de", "Europe/Berlin"
    a.save()
    services.email_preference_set(user=a, frequency="immediately")
    mail.outbox.clear()
    with committed():
        post = PostFactory(thread=ThreadFactory(group=group, author=a, title="Radwege"), author=b)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"{b.public_name} hat Ihnen in „Radwege“ geantwortet."
    note = Notification.objects.get(recipient=a)
    local = note.timestamp.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert f"{local:%H:%M}" in message.body
    assert f"/de/notifications/{note.pk}/open/" in message.body
    assert message.extra_headers["Content-Language"] == "de"
    assert post.pk == note.post_ref


def test_group_override_beats_the_general_choice(make_group, committed):
    loud, _o1, (a, b) = make_group(2)
    quiet, _o2, (c,) = make_group(1)
    groups.membership_add(group=quiet, user=a)
    services.group_email_preference_set(user=a, group=loud, frequency="immediately")
    services.group_email_preference_set(user=a, group=quiet, frequency="off")
    mail.outbox.clear()
    with committed():
        PostFactory(thread=ThreadFactory(group=loud, author=a), author=b)
        PostFactory(thread=ThreadFactory(group=quiet, author=a), author=c)
    assert len(mail.outbox) == 1
    states = dict(Notification.objects.filter(recipient=a).values_list("group_ref", "email_state"))
    assert states == {loud.pk: EmailState.SENT, quiet.pk: EmailState.NONE}


def test_must_deliver_is_not_held_for_the_digest_nor_merged(make_group, committed):
    group, owner, _members = make_group(0, join_policy=WorkingGroup.JoinPolicy.REQUEST)
    applicant = UserFactory()
    services.email_preference_set(user=applicant, frequency="weekly")
    mail.outbox.clear()
    for _ in range(2):
        request = groups.join_request_create(group=group, user=applicant)
        with committed():
            groups.join_request_decline(join_request=request, by=owner, reason="Not yet")
    assert len(mail.outbox) == 2  # at once, one each
    keys = list(
        Notification.objects.filter(recipient=applicant).values_list("group_key", flat=True)
    )
    assert len(set(keys)) == 2  # never grouped together
    call_command("send_digests")
    assert len(mail.outbox) == 2


def test_one_click_unsubscribe_without_login(client, make_group, committed):
    group, _owner, (a, b) = make_group(2)
    services.email_preference_set(user=a, frequency="immediately")
    mail.outbox.clear()
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a), author=b)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    url = header.strip("<>").replace("http://127.0.0.1:8000", "")
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = client.get(url)
    assert page.status_code == 200 and group.name in page.content.decode()
    a.refresh_from_db()
    assert a.inbox_email.frequency == "immediately"  # a GET (a link scanner) changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # what mail clients send
    assert done.status_code == 200
    assert a.inbox_group_email.get(group_ref=group.pk).frequency == "off"
    mail.outbox.clear()
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a), author=b)
    assert mail.outbox == []


def test_unsubscribe_from_everything_and_a_tampered_link(client, make_group):
    _group, _owner, (a,) = make_group(1)
    token = unsubscribe_token(user_id=a.pk)
    assert client.post(reverse("inbox:unsubscribe", args=[token[:-2] + "xx"])).status_code == 400
    assert client.post(reverse("inbox:unsubscribe", args=[token])).status_code == 200
    a.refresh_from_db()
    assert a.inbox_email.frequency == "off"


def test_send_digests_requeues_stuck_immediate_emails(make_group, committed):
    group, _owner, (a, b) = make_group(2)
    services.email_preference_set(user=a, frequency="immediately")
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a), author=b)
    note = Notification.objects.get(recipient=a)
    # As if the worker had been down: still waiting, well past due.
    Notification.objects.filter(pk=note.pk).update(
        email_state=EmailState.IMMEDIATE, timestamp=datetime(2030, 1, 1, tzinfo=UTC)
    )
    mail.outbox.clear()
    call_command("send_digests", at="2030-01-01T01:00:00+00:00")
    assert len(mail.outbox) == 1
    call_command("send_digests", at="2030-01-01T01:00:00+00:00")
    assert len(mail.outbox) == 1


def test_nothing_emailed_about_what_the_member_can_no_longer_see(make_group, committed):
    group, _owner, (a, b) = make_group(2, visibility=WorkingGroup.Visibility.MEMBERS)
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a), author=b)
    groups.membership_leave(group=group, user=a)  # without on_commit: no withdrawal ran
    mail.outbox.clear()
    call_command("send_digests")
    assert mail.outbox == []
    assert Notification.objects.get(recipient=a).email_state == EmailState.SKIPPED


def test_daily_digest_in_the_members_language_and_time_zone(make_group, committed):
    from zoneinfo import ZoneInfo

    group, _owner, (a, b) = make_group(2)
    a.preferred_language, a.time_zone = "de", "Asia/Tokyo"
    a.save()
    with committed():
        PostFactory(thread=ThreadFactory(group=group, author=a, title="Radwege"), author=b)
    mail.outbox.clear()
    call_command("send_digests")
    (message,) = mail.outbox
    assert message.subject == "Ihre tägliche Plaza-Zusammenfassung: 1 neu"
    assert message.extra_headers["Content-Language"] == "de"
    assert f"Hallo {a.public_name}," in message.body
    note = Notification.objects.get(recipient=a)
    local = note.timestamp.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M}" in message.body  # Tokyo time, not the server's
    assert f"/de/notifications/{note.pk}/open/" in message.body
