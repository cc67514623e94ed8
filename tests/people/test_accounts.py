import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from people.models import User
from tests.factories import TEST_PASSWORD, UserFactory


def link_in(message) -> str:
    return re.search(r"https?://[^\s]+", message.body).group(0)


@pytest.mark.django_db
def test_signup_verification_login_flow(client, site_tree):
    response = client.post(
        "/fr/accounts/signup/",
        {
            "email": "amina@example.org",
            "username": "amina",
            "display_name": "Amina Diallo",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="amina")
    assert user.display_name == "Amina Diallo"
    assert user.preferred_language == "fr"  # signed up in French
    assert not EmailAddress.objects.get(user=user).verified

    # Unverified: login is held at the "verify your email" step.
    client.logout()
    response = client.post(
        "/en/accounts/login/", {"login": "amina@example.org", "password": TEST_PASSWORD}
    )
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) >= 1
    confirm_url = link_in(mail.outbox[-1])
    path = re.sub(r"^https?://[^/]+", "", confirm_url)
    assert client.get(path).status_code == 200
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(
        "/en/accounts/login/", {"login": "amina@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    # After login the member continues in their preferred language.
    assert response["Location"] == "/fr/me/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert client.get("/fr/me/").status_code == 200


@pytest.mark.django_db
def test_signup_with_a_taken_email_reveals_nothing_and_warns_the_owner(client, site_tree):
    """No account enumeration: the form behaves as usual, the address's owner is mailed."""
    UserFactory(email="taken@example.org")
    response = client.post(
        "/de/accounts/signup/",
        {
            "email": "taken@example.org",
            "username": "someone",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="someone").count() == 0
    assert mail.outbox[-1].to == ["taken@example.org"]


@pytest.mark.django_db
def test_password_reset(client, site_tree):
    user = UserFactory(email="reset@example.org")
    response = client.post("/en/accounts/password/reset/", {"email": "reset@example.org"})
    assert response.status_code == 302
    reset_path = re.sub(r"^https?://[^/]+", "", link_in(mail.outbox[-1]))
    response = client.get(reset_path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(
        form_path, {"password1": "N3w-secret-passphrase", "password2": "N3w-secret-passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("N3w-secret-passphrase")


@pytest.mark.django_db
def test_profile_edit(member_client, site_tree):
    response = member_client.post(
        "/en/me/profile/",
        {
            "display_name": "Dr. K. Mensah",
            "preferred_language": "pt",
            "time_zone": "Africa/Accra",
            "country": "GH",
            "city": "Kumasi",
            "organisation": "KMA",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/pt/me/profile/"
    user = member_client.user
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language, user.time_zone, user.country.code) == (
        "Dr. K. Mensah",
        "pt",
        "Africa/Accra",
        "GH",
    )


@pytest.mark.django_db
def test_profile_bad_input_is_a_400_with_a_translated_message(member_client, site_tree):
    response = member_client.post(
        "/de/me/profile/",
        {
            "display_name": "x",
            "preferred_language": "xx",
            "time_zone": "Mars/Olympus",
            "country": "ZZ",
        },
    )
    assert response.status_code == 400
    assert "Bitte eine gültige Auswahl treffen" in response.content.decode()
    member_client.user.refresh_from_db()
    assert member_client.user.preferred_language == "en"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, site_tree):
    response = client.get("/en/me/")
    assert response.status_code == 302 and "/en/accounts/login/" in response["Location"]
