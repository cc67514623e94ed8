"""Writes for partner associations: onboarding, editors and moderators, branding, translations."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.images import ImageFile
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from core.pages import home_page, locales_ensure, page_translation_ensure

if TYPE_CHECKING:
    from people.models import User

from .models import (
    DEFAULT_ACCENT,
    HEX_COLOUR,
    NewsIndexPage,
    PartnerAssociation,
    PartnerSectionPage,
    PartnersIndexPage,
    Region,
    SecondEditorApprovalTask,
)

# What an association's editors may do to pages, on every language's section page.
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]
# ... and to images and documents, in the association's own collection only.
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "delete_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "delete_document"),
    ("wagtaildocs", "choose_document"),
]
# Global permissions: into the Wagtail admin, and wagtail-localize's "Translate this page"
# (the partners app scopes that button's views to pages the editor can edit).
EDITOR_GLOBAL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtail_localize", "submit_translation"),
]

HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
PARTNERS_INDEX_SLUG = "partners"
# Group names ("<name>: moderators") must fit Django's 150 characters.
NAME_MAX_LENGTH = 120


def _in_language(language: str, message) -> str:
    with translation.override(language):
        return str(message)


def editors_group_name(name: str) -> str:
    return f"{name}: editors"


def moderators_group_name(name: str) -> str:
    return f"{name}: moderators"


def _validate_onboarding(
    *,
    name: str,
    slug: str,
    region: str,
    languages: list[str],
    hostname: str,
    accent_colour: str,
    home: Page,
) -> None:
    # Onboarding twice: say so plainly, before anything else is checked or written.
    existing = PartnerAssociation.objects.filter(name__iexact=name).first() if name else None
    existing = existing or (PartnerAssociation.objects.filter(slug=slug).first() if slug else None)
    if existing is not None:
        raise ValidationError(
            _(
                "“%(name)s” is already onboarded: its section is at /%(slug)s/. "
                "Nothing was changed."
            ),
            code="already_onboarded",
            params={"name": existing.name, "slug": existing.slug},
        )

    errors: dict[str, list] = {}

    def add(field: str, message, **params) -> None:
        errors.setdefault(field, []).append(ValidationError(message, params=params or None))

    if not name:
        add("name", _("Give the association a name."))
    elif len(name) > NAME_MAX_LENGTH:
        add("name", _("Use at most %(max)d characters for the name."), max=NAME_MAX_LENGTH)
    elif Group.objects.filter(
        name__in=[editors_group_name(name), moderators_group_name(name)]
    ).exists():
        add(
            "name",
            _("A user group for “%(name)s” already exists; rename or remove it first."),
            name=name,
        )
    if not slug:
        add("slug", _("Give the section a web address (slug)."))
    else:
        try:
            validate_slug(slug)
            if len(slug) > 80:
                raise ValidationError("too long")
        except ValidationError:
            add(
                "slug",
                _("Use only lowercase letters, numbers, hyphens and underscores in the slug."),
            )
        # Sections sit directly under the home page (in every language).
        if Page.objects.filter(depth=home.depth + 1, slug=slug).exists():
            add("slug", _("A page with the address /%(slug)s/ already exists."), slug=slug)
    if region not in Region.values:
        add("region", _("Choose one of the regions."))
    known = dict(settings.LANGUAGES)
    if not languages:
        add("languages", _("Choose at least one language for the section."))
    unknown = [code for code in languages if code not in known]
    if unknown:
        add("languages", _("Unknown language: %(codes)s."), codes=", ".join(unknown))
    try:
        HEX_COLOUR(accent_colour)
    except ValidationError as exc:
        errors.setdefault("accent_colour", []).append(exc)
    if hostname:
        if not HOSTNAME_RE.match(hostname):
            add("hostname", _("“%(hostname)s” is not a valid hostname."), hostname=hostname)
        elif Site.objects.filter(hostname=hostname).exists():
            add(
                "hostname",
                _("The hostname “%(hostname)s” is already used by another site."),
                hostname=hostname,
            )
    if errors:
        raise ValidationError(errors)


def _global_permission(app_label: str, codename: str) -> Permission:
    """A global permission. wagtail-localize's comes from a data migration, which a flushed
    database (transactional tests) no longer has: recreate it as that migration does."""
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is None and (app_label, codename) == ("wagtail_localize", "submit_translation"):
        from django.contrib.contenttypes.models import ContentType

        content_type, _created = ContentType.objects.get_or_create(
            app_label=app_label, model="translation"
        )
        permission, _created = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": "Can submit translations"},
        )
    if permission is None:
        raise Permission.DoesNotExist(f"{app_label}.{codename}")
    return permission


def _open_logo(logo: File, *, title: str, collection: Collection):
    """Store an uploaded logo as a Wagtail image in the association's collection."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        logo.seek(0)
        PILImage.open(logo).verify()
        logo.seek(0)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            {"logo": [_("The logo must be a PNG, JPEG, GIF or WebP image.")]}
        ) from exc
    name = getattr(logo, "name", None) or "logo.png"
    return get_image_model().objects.create(
        title=title, file=ImageFile(logo, name=name.rsplit("/", 1)[-1]), collection=collection
    )


@transaction.atomic
def page_translation_create(
    *, page: Page, language: str, strings: Mapping[str, str] | None = None, user: User | None = None
) -> Page:
    """Translate `page` into `language` with wagtail-localize, publishing it if the source is live.

    `strings` maps source texts (title, intro, plain paragraphs) to their translation;
    they are stored as wagtail-localize string translations, so the localize editor shows
    them as translated and a later "Sync translated pages" keeps them. Anything not in
    `strings` falls back to the source text until an editor translates it. Returns the
    existing translation untouched if there is one.
    """
    from wagtail_localize.models import (
        StringSegment,
        StringTranslation,
        Translation,
        TranslationSource,
    )

    locale = Locale.objects.get(language_code=language)
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    source, _created = TranslationSource.get_or_create_from_instance(page.specific)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = (strings or {}).get(segment.string.data)
        if text:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                    "last_translated_by": user,
                },
            )
    target, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    # wagtail-localize publishes on commit; publish here so the caller (and the rest of
    # this transaction) sees the translation live.
    target.save_target(user=user, publish=False)
    translated = page.get_translation(locale).specific
    if page.live:
        translated.get_latest_revision().publish(user=user)
        translated.refresh_from_db()
    return translated


INDEX_INTRO = _(
    "Regional and national city associations carry Plaza. Each one runs its own section: "
    "regional news, pages and working groups."
)


@transaction.atomic
def partners_index_ensure(*, languages: Sequence[str] | None = None) -> PartnersIndexPage:
    """The public partners page under the home page, in `languages` (default: all). Idempotent."""
    home = home_page()
    default = settings.LANGUAGE_CODE
    index = PartnersIndexPage.objects.filter(locale__language_code=default).first()
    if index is None:
        index = home.add_child(
            instance=PartnersIndexPage(
                title=_in_language(default, _("Partners")),
                slug=PARTNERS_INDEX_SLUG,
                show_in_menus=True,
                intro=_in_language(default, INDEX_INTRO),
            )
        )
        index.save_revision().publish()
    for language in languages or [code for code, _name in settings.LANGUAGES]:
        if language == default:
            continue
        page_translation_ensure(page=home, language=language)
        page_translation_ensure(
            page=index,
            language=language,
            title=_in_language(language, _("Partners")),
            intro=_in_language(language, INDEX_INTRO),
        )
    return index


@transaction.atomic
def partner_section_create(
    *,
    name: str,
    slug: str,
    region: str,
    languages: Sequence[str],
    logo: File | None = None,
    hostname: str | None = None,
    accent_colour: str = DEFAULT_ACCENT,
    intro: str | Mapping[str, str] = "",
    workflow: bool = False,
    user: User | None = None,
) -> PartnerAssociation:
    """Onboard an association in one transaction; refuse to do it twice.

    Creates: the association; its section page under the home page in the first (main)
    language with a news index below it, translated with wagtail-localize into the other
    `languages`; the editors' group (admin access, add/edit/publish on every language's
    section page and nothing else, add/edit/delete/choose images and documents in the new
    collection only); the moderators' group (no admin rights: it moderates the regional
    working groups that live in the section); optionally a Wagtail Site for `hostname`
    rooted at the section, and a "second editor reviews" workflow (then editors can
    submit but not publish directly). Ensures the partners index page exists in the
    section's languages. `intro` is a text in the main language, or a mapping
    language -> text (stored as the translations of the main one).
    """
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    hostname = (hostname or "").strip().lower().rstrip(".")
    languages = list(dict.fromkeys(code.strip() for code in languages if code and code.strip()))
    home = home_page()
    _validate_onboarding(
        name=name,
        slug=slug,
        region=region,
        languages=languages,
        hostname=hostname,
        accent_colour=accent_colour,
        home=home,
    )
    locales = locales_ensure()
    main = languages[0]
    intros = dict(intro) if isinstance(intro, Mapping) else {main: intro}

    # Wagtail's data migration makes the root collection; a flushed database may lack it.
    collection_root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    collection = collection_root.add_child(name=name)
    editors = Group.objects.create(name=editors_group_name(name))
    moderators = Group.objects.create(name=moderators_group_name(name))
    association = PartnerAssociation.objects.create(
        name=name,
        slug=slug,
        region=region,
        languages=languages,
        accent_colour=accent_colour,
        hostname=hostname,
        editors_group=editors,
        moderators_group=moderators,
        collection=collection,
    )
    if logo is not None:
        association.logo = _open_logo(
            logo, title=gettext("%(name)s logo") % {"name": name}, collection=collection
        )

    parent = (
        home
        if main == home.locale.language_code
        else page_translation_ensure(page=home, language=main)
    )
    section = parent.add_child(
        instance=PartnerSectionPage(
            title=name,
            slug=slug,
            association=association,
            intro=intros.get(main, ""),
            locale=locales[main],
            owner=user,
        )
    )
    section.save_revision(user=user).publish(user=user)
    news_title = _in_language(main, _("News"))
    news = section.add_child(
        instance=NewsIndexPage(
            title=news_title,
            slug="news",
            locale=locales[main],
            owner=user,
            show_in_menus=True,
        )
    )
    news.save_revision(user=user).publish(user=user)
    for language in languages[1:]:
        if home.locale.language_code != language:
            page_translation_ensure(page=home, language=language)
        strings = {name: name}
        if intros.get(main) and intros.get(language):
            strings[intros[main]] = intros[language]
        page_translation_create(page=section, language=language, strings=strings, user=user)
        page_translation_create(
            page=news,
            language=language,
            strings={news_title: _in_language(language, _("News"))},
            user=user,
        )

    section_pages = list(PartnerSectionPage.objects.filter(association=association))
    page_codenames = [c for c in EDITOR_PAGE_PERMISSIONS if not (workflow and c == "publish_page")]
    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=page_codenames
    )
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=editors, page=page, permission=permission)
        for page in section_pages
        for permission in page_permissions
    )
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.create(
            group=editors,
            collection=collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    editors.permissions.add(
        *(_global_permission(app, code) for app, code in EDITOR_GLOBAL_PERMISSIONS)
    )

    if hostname:
        association.site = Site.objects.create(
            hostname=hostname, port=80, site_name=name, root_page=section, is_default_site=False
        )
    if workflow:
        association.workflow = Workflow.objects.create(
            name=gettext("%(name)s: review by a second editor") % {"name": name}
        )
        task = SecondEditorApprovalTask.objects.create(
            name=gettext("%(name)s: second editor") % {"name": name}
        )
        task.groups.add(editors)
        WorkflowTask.objects.create(workflow=association.workflow, task=task, sort_order=0)
        for page in section_pages:
            WorkflowPage.objects.create(workflow=association.workflow, page=page)

    association.section = section
    association.save()
    partners_index_ensure(languages=languages)
    return association


def _check_user(user: User) -> None:
    if user is None or not user.pk or not user.is_active:
        raise ValidationError(_("Choose an active member."))


@transaction.atomic
def partner_editor_add(*, association: PartnerAssociation, user: User) -> None:
    """Make `user` an editor of the association's section (their one Plaza account)."""
    _check_user(user)
    user.groups.add(association.editors_group)


@transaction.atomic
def partner_editor_remove(*, association: PartnerAssociation, user: User) -> None:
    """Take away `user`'s editing rights on the association's section."""
    user.groups.remove(association.editors_group)


@transaction.atomic
def partner_moderator_add(*, association: PartnerAssociation, user: User) -> None:
    """Make `user` a moderator of the association (and so of its regional working groups)."""
    _check_user(user)
    user.groups.add(association.moderators_group)


@transaction.atomic
def partner_moderator_remove(*, association: PartnerAssociation, user: User) -> None:
    """Take away `user`'s moderator role for the association."""
    user.groups.remove(association.moderators_group)


@transaction.atomic
def partner_branding_update(
    *,
    association: PartnerAssociation,
    region: str | None = None,
    accent_colour: str | None = None,
    logo=None,
    clear_logo: bool = False,
) -> PartnerAssociation:
    """Change an association's region, accent colour or logo (an Image, or a new upload)."""
    if region is not None:
        if region not in Region.values:
            raise ValidationError({"region": [_("Choose one of the regions.")]})
        association.region = region
    if accent_colour is not None:
        try:
            HEX_COLOUR(accent_colour)
        except ValidationError as exc:
            raise ValidationError({"accent_colour": exc.messages}) from exc
        association.accent_colour = accent_colour
    if clear_logo:
        association.logo = None
    elif isinstance(logo, get_image_model()):
        association.logo = logo
    elif logo is not None:
        association.logo = _open_logo(
            logo,
            title=gettext("%(name)s logo") % {"name": association.name},
            collection=association.collection,
        )
    association.save()
    return association
