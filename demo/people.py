"""Demo members, one per role (used by `manage.py seed_demo`)."""

from allauth.account.models import EmailAddress

from people.models import User

DEMO_PASSWORD = "plaza-demo-2026"

DEMO_USERS = [
    # username, display name, role description, country, city, organisation, language,
    # staff, superuser
    (
        "admin",
        "Ada Admin",
        "site administrator",
        "DE",
        "Bonn",
        "Plaza secretariat",
        "en",
        True,
        True,
    ),
    (
        "moderator",
        "Mariam Haddad",
        "moderator",
        "JO",
        "Amman",
        "Greater Amman Municipality",
        "ar",
        False,
        False,
    ),
    (
        "member",
        "Kwame Mensah",
        "member",
        "GH",
        "Kumasi",
        "Kumasi Metropolitan Assembly",
        "en",
        False,
        False,
    ),
    (
        "editor",
        "Lucía Rojas",
        "partner-association editor",
        "CO",
        "Medellín",
        "Asociación de Ciudades",
        "es",
        True,
        False,
    ),
]


def seed() -> dict[str, User]:
    """Create (or leave as they are) the demo accounts with verified email addresses."""
    users = {}
    for username, name, _role, country, city, org, lang, staff, superuser in DEMO_USERS:
        email = f"{username}@plaza.example"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=email,
                display_name=name,
                country=country,
                city=city,
                organisation=org,
                preferred_language=lang,
                is_staff=staff,
                is_superuser=superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[username] = user
    return users


def logins() -> list[tuple[str, str, str]]:
    return [(f"{u}@plaza.example", DEMO_PASSWORD, role) for u, _n, role, *_rest in DEMO_USERS]
