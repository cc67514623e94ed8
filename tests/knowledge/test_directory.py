"""The expert pool: privacy of the directory, the profile form, contact requests."""

import json

import pytest
from django.core import mail

from knowledge import signals
from knowledge.models import ContactRequest, ExpertProfile, LanguageSkill
from knowledge.services import CONTACT_LIMIT
from tests.factories import EventFactory, ExpertProfileFactory, GoodPracticeFactory, UserFactory

from .conftest import EMAIL_RE

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(site_tree):
    listed = [
        ExpertProfileFactory(
            user=UserFactory(display_name="Amina Diallo", country="SN", city="Dakar"),
            expertise=",urban-mobility,climate-adaptation,",
            languages=[("fr", "native"), ("en", "fluent")],
        ),
        ExpertProfileFactory(
            user=UserFactory(display_name="João Silva", country="BR", city="Recife"),
            expertise=",digitalisation,",
            available_for_missions=False,
            languages=[("pt", "native")],
        ),
        ExpertProfileFactory(
            user=UserFactory(display_name="Priya Raman", country="IN", city="Pune"),
            expertise=",climate-adaptation,",
            languages=[("en", "fluent"), ("hi", "native")],
        ),
    ]
    hidden = ExpertProfileFactory(
        user=UserFactory(display_name="Hidden Hannah", country="SN"),
        listed=False,
        expertise=",urban-mobility,",
    )
    no_profile = UserFactory(display_name="Nobody Ngozi")
    inactive = ExpertProfileFactory(user=UserFactory(display_name="Gone Gustavo", is_active=False))
    return {"listed": listed, "hidden": hidden, "no_profile": no_profile, "inactive": inactive}


def names(response) -> set[str]:
    html = response.content.decode()
    return {
        n
        for n in (
            "Amina Diallo",
            "João Silva",
            "Priya Raman",
            "Hidden Hannah",
            "Nobody Ngozi",
            "Gone Gustavo",
        )
        if n in html
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Amina Diallo", "João Silva", "Priya Raman"}),
        ("expertise=climate-adaptation", {"Amina Diallo", "Priya Raman"}),
        ("expertise=urban-mobility", {"Amina Diallo"}),
        ("language=fr", {"Amina Diallo"}),
        ("language=pt", {"João Silva"}),
        ("country=IN", {"Priya Raman"}),
        ("country=SN", {"Amina Diallo"}),
        ("region=sub-saharan-africa", {"Amina Diallo"}),
        ("region=latin-america", {"João Silva"}),
        ("available=1", {"Amina Diallo", "Priya Raman"}),
        ("expertise=climate-adaptation&language=en&available=1&region=asia", {"Priya Raman"}),
        ("q=recife", {"João Silva"}),
        ("q=hannah", set()),
    ],
)
def test_directory_filters_and_never_shows_unlisted_people(client, people, query, expected):
    client.force_login(UserFactory())
    response = client.get(f"/en/people/?{query}")
    assert response.status_code == 200
    assert names(response) == expected
    data = client.get(f"/en/people/directory.json?{query}").json()
    assert {p["name"] for p in data["results"]} == expected


def test_unlisted_profiles_are_not_found_except_by_their_owner(client, people):
    hidden = people["hidden"].user
    client.force_login(UserFactory())
    assert client.get(f"/en/people/{hidden.username}/").status_code == 404
    assert client.get(f"/en/people/{people['no_profile'].username}/").status_code == 404
    assert client.get(f"/en/people/{people['inactive'].user.username}/").status_code == 404
    client.force_login(hidden)
    response = client.get(f"/en/people/{hidden.username}/")
    assert response.status_code == 200 and "Only you can see this page" in response.content.decode()


def test_no_email_address_in_any_page_feed_or_json(client, people, knowledge_pages):
    everyone = [p.user for p in people["listed"]] + [people["hidden"].user, people["no_profile"]]
    practice = GoodPracticeFactory()
    for user in everyone[:2]:
        practice.contacts.create(user=user, role="Lead planner")
    practice.save_revision().publish()
    event = EventFactory()
    viewer = UserFactory()
    client.force_login(viewer)
    urls = [
        "/en/people/",
        "/en/people/?expertise=urban-mobility",
        "/en/people/directory.json",
        *[f"/en/people/{p.user.username}/" for p in people["listed"]],
        f"/en/people/{everyone[0].username}/contact/",
        practice.url,
        "/en/practices/",
        event.url,
        "/en/events/",
        "/en/events/feed/",
        f"{event.url}ics/",
        "/en/me/expertise/",
        "/en/projects/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        found = EMAIL_RE.findall(body)
        assert not found, (url, found)
    # The people really are on those pages (so the check is not vacuous).
    assert "Amina Diallo" in client.get(practice.url).content.decode()


def test_member_fills_the_expert_profile(client, site_tree):
    member = UserFactory(organisation="Old org")
    client.force_login(member)
    response = client.get("/en/me/expertise/")
    assert response.status_code == 200
    data = {
        "organisation": "Kampala Capital City Authority",
        "position": "Head of transport planning",
        "city": "Kampala",
        "country": "UG",
        "expertise": ["urban-mobility", "digitalisation"],
        "bio": "Twenty years of bus reform.",
        "available_for_missions": "on",
        "listed": "on",
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "12",
        "languages-0-language": "en",
        "languages-0-level": "fluent",
        "languages-1-language": "sw",
        "languages-1-level": "native",
    }
    response = client.post("/en/me/expertise/", data)
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(user=member)
    assert (
        profile.listed
        and profile.available_for_missions
        and profile.expertise == ",urban-mobility,digitalisation,"
    )
    assert set(LanguageSkill.objects.filter(user=member).values_list("language", "level")) == {
        ("en", "fluent"),
        ("sw", "native"),
    }
    member.refresh_from_db()
    assert (member.organisation, member.city, member.country.code) == (
        "Kampala Capital City Authority",
        "Kampala",
        "UG",
    )
    assert (
        "Head of transport planning"
        in client.get(f"/en/people/{member.username}/").content.decode()
    )
    # Listing is opt-in: default off, and switching it off removes the member again.
    data.pop("listed")
    data["languages-1-language"] = ""
    client.post("/en/me/expertise/", data)
    assert not ExpertProfile.objects.get(user=member).listed
    assert list(LanguageSkill.objects.filter(user=member).values_list("language", flat=True)) == [
        "en"
    ]
    # A duplicate language is refused with the form kept.
    data["languages-1-language"] = "en"
    response = client.post("/en/me/expertise/", data)
    assert response.status_code == 400 and "Each language only once" in response.content.decode()


def test_a_new_profile_is_not_listed_by_default():
    assert ExpertProfile._meta.get_field("listed").default is False


class SignalRecorder:
    def __init__(self):
        self.calls = []

    def __call__(self, sender, **kwargs):
        self.calls.append(kwargs)


def test_contact_request_is_delivered_and_rate_limited(
    client, people, django_capture_on_commit_callbacks
):
    sender = UserFactory(display_name="Sam Sender")
    recipient = people["listed"][0].user
    recorder = SignalRecorder()
    signals.contact_requested.connect(recorder, weak=False)
    try:
        client.force_login(sender)
        for i in range(CONTACT_LIMIT):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(
                    f"/en/people/{recipient.username}/contact/",
                    {"subject": f"Question {i}", "message": "How did you fund the BRT?"},
                )
            assert response.status_code == 302, response.content.decode()[:500]
        assert len(recorder.calls) == CONTACT_LIMIT
        assert (
            recorder.calls[0]["to_user_id"] == recipient.pk
            and recorder.calls[0]["from_user_id"] == sender.pk
        )
        assert len(mail.outbox) == CONTACT_LIMIT
        message = mail.outbox[0]
        assert message.to == [recipient.email]
        assert sender.email not in message.body and not message.reply_to
        assert "Sam Sender" in message.body and "How did you fund the BRT?" in message.body
        from inbox.models import Notification

        notes = Notification.objects.filter(recipient=recipient, verb="contact_requested")
        assert notes.count() == CONTACT_LIMIT

        response = client.post(
            f"/en/people/{recipient.username}/contact/",
            {"subject": "One more", "message": "Please answer"},
        )
        assert response.status_code == 429
        html = response.content.decode()
        assert "the most Plaza allows" in html and "Please answer" in html  # message and input kept
        assert ContactRequest.objects.filter(sender=sender).count() == CONTACT_LIMIT
    finally:
        signals.contact_requested.disconnect(recorder)


def test_rate_limit_message_is_translated(client, people):
    sender = UserFactory(preferred_language="fr")
    recipient = people["listed"][0].user
    for _ in range(CONTACT_LIMIT):
        ContactRequest.objects.create(sender=sender, recipient=recipient, subject="x", message="y")
    client.force_login(sender)
    response = client.post(
        f"/fr/people/{recipient.username}/contact/", {"subject": "Encore", "message": "Merci"}
    )
    assert response.status_code == 429
    assert "24 heures" in response.content.decode()


def test_sharing_the_email_is_opt_in_and_replies_are_allowed(
    client, people, django_capture_on_commit_callbacks
):
    sender = UserFactory()
    recipient = people["listed"][1].user
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/people/{recipient.username}/contact/",
            {"subject": "Hi", "message": "Hello", "share_email": "on"},
        )
    assert mail.outbox[0].reply_to == [sender.email]
    # The sender is not listed, but the recipient may answer through Plaza.
    client.force_login(recipient)
    assert client.get(f"/en/people/{sender.username}/contact/").status_code == 200
    # The notification links to the sender's profile: unlisted, it leads to the reply form.
    response = client.get(f"/en/people/{sender.username}/")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/people/{sender.username}/contact/"
    )
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(f"/en/people/{sender.username}/contact/").status_code == 404
    assert client.get(f"/en/people/{sender.username}/").status_code == 404
    assert client.get(f"/en/people/{people['hidden'].user.username}/contact/").status_code == 404


# Session and member (2), page chrome (site twice, locale, menu), notification badge and
# admin link (6), then the directory's own: count, page, language skills (3).
MAX_DIRECTORY = 11
MAX_JSON = 6


def test_visitors_are_asked_to_sign_in_and_learn_nothing(client, people):
    listed = people["listed"][0].user.username
    paths = ("/en/people/", "/en/people/?country=SN", f"/en/people/{listed}/", "/en/people/x/")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/en/accounts/login/"), path
    response = client.get("/en/people/directory.json")
    assert response.status_code == 403 and "Amina" not in response.content.decode()
    assert response.json()["error"] == "Sign in to see the people directory."


@pytest.mark.parametrize("n", [3, 15])
def test_directory_query_count_is_flat(client, site_tree, django_assert_max_num_queries, n):
    for _ in range(n):
        ExpertProfileFactory(languages=[("en", "fluent"), ("fr", "basic")])
    client.force_login(UserFactory())
    with django_assert_max_num_queries(MAX_DIRECTORY):
        response = client.get("/en/people/?language=en")
    assert response.content.decode().count("person-card") == n
    with django_assert_max_num_queries(MAX_JSON):
        data = json.loads(client.get("/en/people/directory.json").content)
    assert data["count"] == n


def test_directory_speaks_the_visitors_language(client, people):
    client.force_login(UserFactory(preferred_language="fr"))
    html = client.get("/fr/people/").content.decode()
    assert '<option value="SN">Sénégal</option>' in html  # the country filter, in French
    assert "Brésil" in html and "Portugais" in html.replace("portugais", "Portugais")
    html = client.get("/de/people/").content.decode()
    assert '<option value="SN">Senegal</option>' in html and "Französisch" in html


def test_no_email_address_for_organisers_teams_and_recipients_either(
    client, people, knowledge_pages, django_capture_on_commit_callbacks
):
    """The surfaces only some people see: the participant list and its CSV, group feeds,
    the personal calendar, a project's team, the recipient's notification of a contact."""
    import re

    from groups.models import Membership
    from knowledge.services import contact_request_create, event_register
    from tests.factories import GroupFactory, MembershipFactory, ProjectIdeaFactory

    group = GroupFactory(with_page=True, visibility="members")
    moderator = UserFactory(display_name="Mona Moderator")
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    event = EventFactory(group=group, audience="group", capacity=1)
    members = [p.user for p in people["listed"]]
    for user in members:
        MembershipFactory(group=group, user=user)
        event_register(event=event, user=user)  # one confirmed, two waiting
    idea = ProjectIdeaFactory(group=group, created_by=moderator)
    recipient = members[0]
    with django_capture_on_commit_callbacks(execute=True):
        contact_request_create(
            sender=members[1], recipient=recipient, subject="Hello", message="Hi", share_email=True
        )

    def check(url, *, expect):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        assert not EMAIL_RE.findall(body), (url, EMAIL_RE.findall(body))
        assert expect in body, url  # the people are really there

    client.force_login(moderator)
    for url in (f"{event.url}participants/", f"{event.url}participants/csv/"):
        check(url, expect=members[2].public_name)
    check(f"/en/events/feed/groups/{group.slug}/", expect=event.title)
    check(f"/en/projects/{idea.pk}/", expect="Mona Moderator")
    events_html = client.get("/en/events/").content.decode()
    key = re.search(r"/feed/\?key=([^\"&]+)", events_html).group(1)
    client.logout()
    check(f"/en/events/feed/?key={key}", expect=event.title)
    # The recipient's notification names the sender, never an address (even a shared one:
    # that goes only into the email's Reply-To).
    client.force_login(recipient)
    check("/en/notifications/", expect=members[1].public_name)
    check(f"/en/people/{members[1].username}/", expect=members[1].public_name)
