"""Good practices: drafts from a thread or an idea, the practice's discussion thread."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from core.idempotency import idempotent
from groups import permissions as group_perms
from groups.models import WorkingGroup

from .. import permissions as perms
from .. import signals
from ..choices import (
    Stage,
    region_for_country,
)
from ..models import (
    GoodPracticeContact,
    GoodPracticeGroup,
    GoodPracticeIndexPage,
    GoodPracticePage,
    ProjectIdea,
)

# Contact requests a member may send per rolling day (spam brake; replies count too).
from ._common import (
    _emit,
    _require_login,
)

# --- good practices -----------------------------------------------------------------------


def practice_index_for(language: str | None = None) -> GoodPracticeIndexPage | None:
    """The practice database page in that language, else the default language's."""
    pages = {
        p.locale.language_code: p for p in GoodPracticeIndexPage.objects.select_related("locale")
    }
    for code in (language, settings.LANGUAGE_CODE):
        if code in pages:
            return pages[code]
    return next(iter(pages.values()), None)


def _unique_slug(parent: Page, title: str) -> str:
    base = slugify(title)[:70] or "practice"
    slug, n = base, 1
    siblings = set(parent.get_children().values_list("slug", flat=True))
    while slug in siblings:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _create_draft_practice(
    *,
    by,
    language: str,
    title: str,
    summary: str,
    fields: dict,
    groups: Iterable[WorkingGroup],
    contacts: Iterable = (),
) -> GoodPracticePage:
    index = practice_index_for(language)
    if index is None:
        raise ValidationError(_("The good-practice database has not been set up yet."))
    page = GoodPracticePage(
        title=title[:255],
        slug=_unique_slug(index, title),
        summary=summary,
        live=False,
        owner=by,
        locale=index.locale,
        city=fields.pop("city", ""),
        country=fields.pop("country", ""),
        **fields,
    )
    if page.country and not page.region:
        page.region = region_for_country(page.country.code)
    for group in groups:
        page.related_groups.add(GoodPracticeGroup(group=group))
    for user in contacts:
        page.contacts.add(GoodPracticeContact(user=user))
    index.add_child(instance=page)
    # A draft may lack what publishing needs (city, country): the editor completes it.
    page.save_revision(user=by, log_action=True, clean=False)
    return page


@transaction.atomic
def good_practice_draft_from_idea(*, idea: ProjectIdea, by) -> GoodPracticePage:
    """Seed a DRAFT good practice from an evaluated project idea (an editor completes and
    publishes it). Idempotent: a second call returns the existing draft."""
    perms.check_can_edit_idea(by, idea)
    if idea.stage != Stage.EVALUATED:
        raise ValidationError(_("Only an evaluated project can seed a good practice."))
    idea.good_practice_key = (
        ProjectIdea.objects.select_for_update()
        .values_list("good_practice_key", flat=True)
        .get(pk=idea.pk)
    )
    if idea.good_practice_key:
        existing = GoodPracticePage.objects.filter(translation_key=idea.good_practice_key).first()
        if existing is not None:
            return existing
    cities = idea.city_list
    page = _create_draft_practice(
        by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        title=idea.title,
        summary=(idea.results or idea.problem)[:1000],
        fields={
            "city": cities[0] if cities else "",
            "region": idea.region,
            "topics": idea.topics,
            "challenge": idea.problem_html,
            "approach": idea.approach_html,
            "results": idea.results_html,
            "lessons_learned": idea.lessons_learned_html,
        },
        groups=[idea.group],
    )
    idea.good_practice_key = page.translation_key
    idea.save(update_fields=["good_practice_key", "updated_at"])
    return page


def _first_paragraphs(html: str, limit: int = 600) -> str:
    """Plain text of the opening post for a summary: whole words, at most `limit` characters."""
    from django.utils.html import strip_tags
    from django.utils.text import Truncator

    text = " ".join(strip_tags(html.replace("</p>", "</p> ")).split())
    return Truncator(text).chars(limit)


@transaction.atomic
def good_practice_propose_from_thread(*, thread, by) -> GoodPracticePage:
    """A moderator turns a thread into a DRAFT good practice: title and summary from the
    thread's opening post, the group as related group, the thread's author as contact and
    their city and country as the practice's place (the editor corrects what is wrong),
    linked back to the thread. An editor completes and publishes it. Proposing the same
    thread twice returns the same draft."""
    _require_login(by)
    from discussions import permissions as discussion_perms
    from discussions.models import ContentStatus

    from ..models import PracticeThreadLink

    discussion_perms.check_can_read_thread(by, thread)
    if not perms.can_propose_practice(by, thread.group):
        raise PermissionDenied(
            _("Only the group's moderators can propose a thread as a good practice.")
        )
    if thread.status != ContentStatus.PUBLISHED:
        raise ValidationError(_("Only a published thread can be proposed as a good practice."))
    link = PracticeThreadLink.objects.filter(
        thread=thread, kind=PracticeThreadLink.Kind.SOURCE
    ).first()
    if link is not None:
        existing = link.practice_in(thread.language, live_only=False)
        if existing is not None:
            return existing
        link.delete()  # the draft was deleted meanwhile: propose afresh
    opening = thread.posts.filter(parent__isnull=True).first()
    summary = _first_paragraphs(opening.body_html) if opening is not None else ""
    author = thread.author if thread.author is not None and thread.author.is_active else None
    page = _create_draft_practice(
        by=by,
        language=thread.language,
        title=thread.title,
        summary=summary,
        # Whoever described it is the first person to ask about it, usually in their city.
        fields={"city": author.city, "country": author.country.code or ""} if author else {},
        groups=[thread.group],
        contacts=[author] if author else [],
    )
    PracticeThreadLink.objects.create(
        practice_key=page.translation_key,
        thread=thread,
        kind=PracticeThreadLink.Kind.SOURCE,
        created_by=by,
    )
    _emit(
        signals.practice_proposed,
        GoodPracticePage,
        page=page,
        page_id=page.pk,
        group=thread.group,
        group_id=thread.group_id,
        by=by,
        by_id=by.pk,
        thread_id=thread.pk,
    )
    return page


@idempotent(user="by")
@transaction.atomic
def practice_discuss(*, page: GoodPracticePage, group: WorkingGroup | None, by):
    """Open the practice's thread in one of its related groups (or return the one already
    there), linked both ways."""
    _require_login(by)
    from discussions import services as discussion_services
    from discussions.models import Thread

    from ..models import PracticeThreadLink

    if not page.live:
        raise ValidationError(_("Only a published good practice can be discussed."))
    related = {link.group_id for link in page.related_groups.all()}
    # A group the member may not know of reads as not one of the practice's groups.
    if group is None or group.pk not in related or not group_perms.can_view_group(by, group):
        raise ValidationError(_("Choose one of the practice's working groups."))
    existing = (
        PracticeThreadLink.objects.filter(
            practice_key=page.translation_key,
            thread__group=group,
            kind=PracticeThreadLink.Kind.DISCUSSION,
        )
        .select_related("thread")
        .first()
    )
    if existing is not None:
        group_perms.check_can_read_content(by, group)
        return existing.thread
    language = page.locale.language_code
    with translation.override(language):
        title = _("Discussion: %(title)s") % {"title": page.title}
        body = _("Let us discuss the good practice [%(title)s](%(url)s) from %(city)s.") % {
            "title": page.title.replace("]", ")").replace("[", "("),
            "url": page.url or "",
            "city": page.city,
        }
        body += "\n\n> " + " ".join(page.summary.split())
    thread: Thread = discussion_services.thread_start(
        group=group, author=by, title=title[:200], body=body, language=language
    )
    PracticeThreadLink.objects.create(
        practice_key=page.translation_key,
        thread=thread,
        kind=PracticeThreadLink.Kind.DISCUSSION,
        created_by=by,
    )
    _emit(
        signals.practice_discussed,
        GoodPracticePage,
        page=page,
        page_id=page.pk,
        group=group,
        group_id=group.pk,
        thread_id=thread.pk,
        by=by,
        by_id=by.pk,
    )
    return thread
