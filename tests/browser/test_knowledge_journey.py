"""A moderator turns a thread into a draft good practice, an editor completes and publishes
it in the Wagtail admin, and a visitor finds it through the practice database's filters."""

import re

import pytest

from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


def practice_editors(index):
    """A partner-style editor: admin access and page rights on the practice database only."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name="Practice editors")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=index,
            permission=Permission.objects.get(
                codename=codename, content_type__app_label="wagtailcore"
            ),
        )
    return group


@pytest.fixture(autouse=True)
def english():
    """URLs reversed here are the English ones, whatever an earlier test left active
    (LocaleMiddleware does not reset the language after a test client request)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_thread_to_published_practice_found_by_filters(live_asgi, new_context, site_tree):
    from groups.models import Membership
    from knowledge.models import GoodPracticePage
    from knowledge.services import knowledge_pages_ensure
    from tests.factories import (
        GoodPracticeFactory,
        GroupFactory,
        MembershipFactory,
        ThreadFactory,
        UserFactory,
    )

    index = knowledge_pages_ensure(languages=["en"])["practices"]
    GoodPracticeFactory(
        title="Cool roofs", topics=",climate-adaptation,", sdgs=",13,", country="IN", city="Pune"
    )
    GoodPracticeFactory(
        title="Bus lanes", topics=",urban-mobility,", sdgs=",3,", country="MX", city="Puebla"
    )
    group = GroupFactory(with_page=True, name="Urban mobility")
    moderator = UserFactory(display_name="Mo Derator")
    MembershipFactory(group=group, user=moderator, role=Membership.Role.MODERATOR)
    thread = ThreadFactory(
        group=group,
        title="Night buses that women feel safe on",
        body="In **Kumasi** we added lit stops and women "
        "conductors.\n\nRidership at night doubled.",
    )
    editor = UserFactory(is_staff=True, display_name="Edith Editor")
    editor.groups.add(practice_editors(index))

    # 1. The moderator proposes the thread as a good practice.
    mod = new_context().new_page()
    log_in(mod, live_asgi.url, moderator.email)
    mod.goto(f"{live_asgi.url}{thread.get_absolute_url()}")
    assert mod.text_content("h1").strip() == thread.title, mod.content()[:2000]
    mod.get_by_role("button", name="Propose as good practice").click()
    mod.wait_for_selector(".message-success")
    assert "draft good practice" in mod.text_content(".messages")
    assert "draft, awaiting an editor" in mod.text_content("main")
    draft = GoodPracticePage.objects.get(title=thread.title)
    assert not draft.live and draft.summary.startswith("In Kumasi we added lit stops")

    # 2. The editor finds it waiting on the admin dashboard, completes and publishes it.
    ed = new_context().new_page()
    log_in(ed, live_asgi.url, editor.email)
    ed.goto(f"{live_asgi.url}/admin/")
    ed.click(f"[data-practice-draft='{draft.pk}'] a")
    ed.wait_for_url(re.compile(rf"/admin/pages/{draft.pk}/edit/$"))
    ed.fill("input[name=city]", "Kumasi")
    ed.select_option("select[name=country]", "GH")
    ed.check("input[name=topics][value=urban-mobility]")
    ed.check("input[name=sdgs][value='5']")
    ed.check("input[name=sdgs][value='11']")
    ed.locator(
        "footer [data-w-dropdown-target=toggle], .footer__container [aria-label='More actions']"
    ).first.click()
    ed.click("button[name=action-publish]")
    ed.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    draft.refresh_from_db()
    assert draft.live and draft.region == "sub-saharan-africa"

    # 3. A visitor narrows the database down to it with two filters.
    visitor = new_context().new_page()
    visitor.goto(f"{live_asgi.url}/en/practices/")
    assert visitor.locator(".practice-card").count() == 3
    visitor.click("a[data-facet=topic][data-value=urban-mobility]")
    visitor.wait_for_url(re.compile(r"\?topic=urban-mobility$"))
    assert visitor.locator(".practice-card").count() == 2
    visitor.click("a[data-facet=sdg][data-value='11']")
    visitor.wait_for_url(re.compile(r"/en/practices/\?topic=urban-mobility&sdg=11$"))
    cards = visitor.locator(".practice-card")
    assert (
        cards.count() == 1 and "Night buses that women feel safe on" in cards.first.text_content()
    )
    assert visitor.get_attribute("[data-total]", "data-total") == "1"
    cards.first.locator("a").first.click()
    assert visitor.text_content("h1") == "Night buses that women feel safe on"
    # The practice links back to the thread it came from.
    assert visitor.locator(f"a[href='{thread.get_absolute_url()}']").count() == 1
