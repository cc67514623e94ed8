"""A group is one community in all its languages: translating its page never splits members."""

import pytest
from wagtail.models import Locale

from groups.models import GroupPage, Membership
from groups.services import group_index_ensure
from tests.factories import GroupFactory, MembershipFactory, UserFactory


def _translate_with_wagtail_localize(page, language, user):
    """The editor's path: wagtail-localize's TranslationCreator, then publish the translation."""
    from wagtail_localize.models import TranslationSource
    from wagtail_localize.operations import TranslationCreator

    locale = Locale.objects.get(language_code=language)
    group_index_ensure(language=language)  # the translated parent must exist first
    TranslationCreator(user, [locale]).create_translations(page)
    source = TranslationSource.objects.get_for_instance(page)
    translated, _created = source.create_or_update_translation(
        locale, user=user, publish=True, fallback=True
    )
    return GroupPage.objects.get(pk=translated.pk)


@pytest.mark.django_db
def test_translated_page_shares_the_membership_of_its_source(client, site_tree):
    owner = UserFactory()
    group = GroupFactory(
        name="Urban mobility", slug="mobility", with_page=True, owner=owner, visibility="members"
    )
    english = group.page_in("en")
    early = UserFactory(username="early")
    MembershipFactory(group=group, user=early)

    german = _translate_with_wagtail_localize(english, "de", owner)
    german.title = "Urbane Mobilität"
    german.save_revision().publish()

    # Same canonical group, same translation key, one membership.
    assert german.group_id == english.group_id == group.pk
    assert german.translation_key == english.translation_key
    assert group.page_in("de").pk == german.pk and group.page_in("en").pk == english.pk

    # Someone joins through the German page...
    late = UserFactory(username="late")
    group.join_policy = "open"
    group.save(update_fields=["join_policy"])
    client.force_login(late)
    assert client.post("/de/groups/mobility/join/").status_code == 302

    # ...and is a member on the English page too; the earlier member is on the German one.
    english_members = client.get("/en/groups/mobility/members/").content.decode()
    german_members = client.get("/de/groups/mobility/members/").content.decode()
    for html in (english_members, german_members):
        assert "@early" in html and "@late" in html
    assert "Urbane Mobilität" in german_members
    group.refresh_from_db()
    assert group.member_count == 3 == Membership.objects.filter(group=group).count()

    # Leaving through the English page leaves the one group.
    assert client.post("/en/groups/mobility/leave/").status_code == 302
    assert not Membership.objects.filter(group=group, user=late).exists()
    assert client.get("/de/groups/mobility/members/").status_code == 403


@pytest.mark.django_db
def test_copy_for_translation_keeps_the_group(site_tree):
    """The code path cms' page_translation_ensure (and seed_demo) uses."""
    from cms.services import page_translation_ensure

    group = GroupFactory(slug="circular", with_page=True, owner=UserFactory())
    english = group.page_in("en")
    group_index_ensure(language="ar")
    arabic = page_translation_ensure(page=english, language="ar", title="الاقتصاد الدائري")
    assert arabic.group_id == group.pk
    assert {p.locale.language_code for p in group.pages.all()} == {"en", "ar"}
    assert group.page_in("fr").pk == english.pk  # falls back to the default language
