"""Events: registration, the waiting list, time zones, calendar files and feeds."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import Membership
from knowledge import signals
from knowledge.ics import IcsEvent, calendar, fold
from knowledge.models import EventRegistration
from knowledge.services import event_cancel_registration, event_register
from tests.factories import EventFactory, GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
CONFIRMED, WAITING, CANCELLED = "confirmed", "waiting", "cancelled"


class Recorder:
    def __init__(self, signal):
        self.calls = []
        signal.connect(self.receive, weak=False)
        self.signal = signal

    def receive(self, sender, **kwargs):
        self.calls.append(kwargs)


@pytest.fixture
def confirmed_signal():
    recorder = Recorder(signals.registration_confirmed)
    yield recorder
    signals.registration_confirmed.disconnect(recorder.receive)


def status(event, user):
    return EventRegistration.objects.get(event_key=event.translation_key, user=user).status


def test_waiting_list_moves_up_when_someone_cancels(
    knowledge_pages, django_capture_on_commit_callbacks, confirmed_signal
):
    event = EventFactory(capacity=2, title="Dialogue on informal transport")
    anna, ben, chloe = UserFactory(), UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for user in (anna, ben, chloe):
            event_register(event=event, user=user)
    assert [status(event, u) for u in (anna, ben, chloe)] == [CONFIRMED, CONFIRMED, WAITING]
    assert {m.to[0] for m in mail.outbox} == {anna.email, ben.email, chloe.email}
    waiting_mail = next(m for m in mail.outbox if m.to == [chloe.email])
    assert "waiting list" in waiting_mail.subject and not waiting_mail.attachments
    mail.outbox.clear()
    confirmed_signal.calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        event_cancel_registration(event=event, user=anna)
    assert [status(event, u) for u in (anna, ben, chloe)] == [CANCELLED, CONFIRMED, CONFIRMED]
    # Chloe is told: a domain event for the inbox, and an email with the calendar file.
    assert [(c["user_id"], c["promoted"]) for c in confirmed_signal.calls] == [(chloe.pk, True)]
    promoted = next(m for m in mail.outbox if m.to == [chloe.email])
    assert "Dialogue on informal transport" in promoted.subject
    ((name, content, mimetype),) = promoted.attachments
    assert (
        name.endswith(".ics") and mimetype.startswith("text/calendar") and "BEGIN:VEVENT" in content
    )
    assert any(m.to == [anna.email] and "cancelled" in m.subject.lower() for m in mail.outbox)
    # ... and the inbox turned the domain event into her notification.
    from inbox.models import Notification

    (note,) = Notification.objects.filter(recipient=chloe)
    assert note.verb == "event_promoted" and note.data["event"] == event.title
    assert not Notification.objects.filter(recipient__in=[anna, ben]).exists()


def test_register_twice_or_after_the_deadline_fails_clearly(knowledge_pages, client):
    event = EventFactory(capacity=1)
    member = UserFactory()
    event_register(event=event, user=member)
    with pytest.raises(ValidationError, match="already registered"):
        event_register(event=event, user=member)
    other = UserFactory()
    event_register(event=event, user=other)  # full: waiting list
    with pytest.raises(ValidationError, match="already on the waiting list"):
        event_register(event=event, user=other)

    closed = EventFactory(registration_deadline=timezone.now() - dt.timedelta(hours=1))
    late = UserFactory()
    with pytest.raises(ValidationError, match="Registration for this event has closed"):
        event_register(event=closed, user=late)
    # Through the page: a 400 with the message, nothing written.
    client.force_login(late)
    response = client.post(f"{closed.url}register/")
    assert response.status_code == 400
    assert "Registration for this event has closed." in response.content.decode()
    assert not EventRegistration.objects.filter(user=late).exists()
    client.force_login(member)
    response = client.post(f"{event.url}register/")
    assert (
        response.status_code == 400
        and "You are already registered for this event." in response.content.decode()
    )


def test_cancel_then_register_again_goes_to_the_back_of_the_queue(knowledge_pages):
    event = EventFactory(capacity=1)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    for u in (a, b, c):
        event_register(event=event, user=u)
    event_cancel_registration(event=event, user=b)  # b leaves the waiting list
    event_register(event=event, user=b)  # and rejoins behind c
    event_cancel_registration(event=event, user=a)
    assert status(event, c) == CONFIRMED and status(event, b) == WAITING


def test_time_shown_in_the_viewers_zone_and_ics_in_utc(knowledge_pages, client):
    nairobi = zoneinfo.ZoneInfo("Africa/Nairobi")
    start = dt.datetime(2031, 1, 15, 10, 0, tzinfo=nairobi)  # winter in Berlin (CET, UTC+1)
    event = EventFactory(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Africa/Nairobi",
        registration_deadline=None,
    )
    berliner = UserFactory(time_zone="Europe/Berlin")
    client.force_login(berliner)
    html = client.get(event.url).content.decode()
    when = re.search(r"<time[^>]*data-start>(.*?)</time>", html).group(1)
    assert when.endswith("08:00"), when
    assert "Europe/Berlin" in html
    # Anonymous visitors see the event's own zone.
    client.logout()
    html = client.get(event.url).content.decode()
    assert re.search(r"<time[^>]*data-start>(.*?)</time>", html).group(1).endswith("10:00")
    assert "Africa/Nairobi" in html
    # The calendar file carries UTC times.
    ics = client.get(f"{event.url}ics/")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "DTSTART:20310115T070000Z" in body and "DTEND:20310115T090000Z" in body
    assert all(line.endswith("\r") or line == "" for line in body.split("\n"))


def test_confirmation_email_ics_carries_utc_time(
    knowledge_pages, django_capture_on_commit_callbacks
):
    start = dt.datetime(2031, 1, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Nairobi"))
    event = EventFactory(
        starts_at=start, ends_at=start + dt.timedelta(hours=1), registration_deadline=None
    )
    berliner = UserFactory(time_zone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=True):
        event_register(event=event, user=berliner)
    (message,) = mail.outbox
    assert "08:00" in message.body and "Europe/Berlin" in message.body
    _name, content, _type = message.attachments[0]
    assert "DTSTART:20310115T070000Z" in content


def test_admin_form_reads_times_in_the_events_zone(knowledge_pages):
    from knowledge.forms import EventPageAdminForm
    from knowledge.models import EventPage

    form_class = EventPage.get_edit_handler().get_form_class()
    assert issubclass(form_class, EventPageAdminForm)
    event = EventFactory()
    form = form_class(instance=event, for_user=UserFactory(is_superuser=True))
    initial = form.initial["starts_at"]
    assert timezone.is_naive(initial)
    assert initial == timezone.make_naive(event.starts_at, zoneinfo.ZoneInfo("Africa/Nairobi"))


def test_ics_folding_and_escaping():
    start = dt.datetime(2031, 1, 15, 7, 0, tzinfo=dt.UTC)
    text = calendar(
        [
            IcsEvent(
                uid="x@plaza",
                starts_at=start,
                ends_at=start,
                summary="Café; Köln, Dakar\nنقاش " * 6,
            )
        ]
    )
    lines = text.split("\r\n")
    assert text.endswith("\r\n") and all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Café\\; Köln\\, Dakar\\nنقاش " in unfolded
    assert fold("a" * 200).replace("\r\n ", "") == "a" * 200


def test_organisers_see_and_export_participants_without_emails(knowledge_pages, client):
    group = GroupFactory()
    moderator, member = (
        UserFactory(),
        UserFactory(display_name="Zanele Dube", organisation="=HYPERLINK(1)"),
    )
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    event = EventFactory(group=group, capacity=5)
    event_register(event=event, user=member)
    client.force_login(member)
    assert client.get(f"{event.url}participants/").status_code == 403
    client.force_login(moderator)
    html = client.get(f"{event.url}participants/").content.decode()
    assert "Zanele Dube" in html
    response = client.get(f"{event.url}participants/csv/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "Zanele Dube" in body and "@" not in body.replace(member.username, "")
    assert "'=HYPERLINK(1)" in body  # not a formula when opened in a spreadsheet


def test_feeds_show_only_events_the_requester_may_see(knowledge_pages, client):
    public_group = GroupFactory(visibility="public")
    private_group = GroupFactory(visibility="members")
    secret_group = GroupFactory(visibility="secret")
    insider = UserFactory()
    for g in (private_group, secret_group):
        MembershipFactory(group=g, user=insider)
    EventFactory(title="Open conference")
    EventFactory(title="Public group webinar", group=public_group)
    EventFactory(title="Members only training", group=private_group, audience="group")
    EventFactory(title="Secret study trip", group=secret_group)

    body = client.get("/en/events/feed/").content.decode()
    assert "Open conference" in body and "Public group webinar" in body
    assert "Members only training" not in body and "Secret study trip" not in body
    assert client.get(f"/en/events/feed/groups/{secret_group.slug}/").status_code == 404
    group_feed = client.get(f"/en/events/feed/groups/{public_group.slug}/").content.decode()
    assert "Public group webinar" in group_feed and "Open conference" not in group_feed

    client.force_login(insider)
    body = client.get("/en/events/feed/").content.decode()
    assert "Members only training" in body and "Secret study trip" in body
    # The personal calendar link works without a session (calendar apps send no cookies).
    key = re.search(r"/feed/\?key=([^\"&]+)", client.get("/en/events/").content.decode()).group(1)
    client.logout()
    body = client.get(f"/en/events/feed/?key={key}").content.decode()
    assert "Secret study trip" in body
    assert client.get(f"/en/events/feed/groups/{secret_group.slug}/?key={key}").status_code == 200
    assert client.get("/en/events/feed/?key=forged").status_code == 404
    # The event pages follow the same rule.
    secret_event = EventFactory(title="Another secret", group=secret_group)
    assert client.get(secret_event.url).status_code == 404


@pytest.mark.parametrize("n", [2, 9])
def test_events_list_query_count_is_flat(knowledge_pages, client, django_assert_max_num_queries, n):
    group = GroupFactory()
    for i in range(n):
        EventFactory(title=f"Event {i}", group=group if i % 2 else None)
    member = UserFactory(time_zone="Europe/Berlin")
    client.force_login(member)
    client.get("/en/events/")
    # 2 are ours (count, page); the rest is the page chrome for a signed-in member.
    with django_assert_max_num_queries(16):
        response = client.get("/en/events/")
    assert response.content.decode().count("event-card") == n


def test_home_page_panel_lists_only_visible_events(knowledge_pages, client):
    secret = GroupFactory(visibility="secret")
    EventFactory(title="Open conference on streets")
    EventFactory(title="Secret retreat", group=secret)
    html = client.get("/en/").content.decode()
    assert "Open conference on streets" in html and "Secret retreat" not in html


def test_site_search_finds_public_events_only(knowledge_pages, client):
    group = GroupFactory(visibility="members")
    EventFactory(title="Zebra crossing conference")
    EventFactory(title="Zebra members retreat", group=group, audience="group")
    html = client.get("/en/search/?q=zebra").content.decode()
    assert "Zebra crossing conference" in html and "Zebra members retreat" not in html


@pytest.mark.parametrize("n", [2, 9])
def test_participant_list_csv_and_feeds_query_counts_are_flat(
    knowledge_pages, client, django_assert_max_num_queries, n
):
    group = GroupFactory()
    moderator = UserFactory()
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    event = EventFactory(group=group, capacity=n - 1)  # one of them waits
    for i in range(n):
        event_register(event=event, user=UserFactory(display_name=f"Participant {i}"))
        EventFactory(title=f"Other event {i}", group=group if i % 2 else None)
    client.force_login(moderator)
    client.get(f"{event.url}participants/")
    # One query reads the registrations; the rest is routing, session, permissions, chrome.
    with django_assert_max_num_queries(18):
        html = client.get(f"{event.url}participants/").content.decode()
    assert html.count("Participant ") == n
    with django_assert_max_num_queries(16):
        body = client.get(f"{event.url}participants/csv/").content.decode("utf-8-sig")
    assert body.count("Participant ") == n
    with django_assert_max_num_queries(10):
        feed = client.get("/en/events/feed/").content.decode()
    assert feed.count("BEGIN:VEVENT") == n + 1
    with django_assert_max_num_queries(11):
        feed = client.get(f"/en/events/feed/groups/{group.slug}/").content.decode()
    assert feed.count("BEGIN:VEVENT") == 1 + n // 2


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =cmd|' /C calc'!A0", "'  =cmd|' /C calc'!A0"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("Zanele Dube", "Zanele Dube"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("ana@example", "ana@example"),
        ("", ""),
    ],
)
def test_csv_cells_are_never_formulas(value, safe):
    from knowledge.views import _csv_cell

    assert _csv_cell(value) == safe
