"""The network's knowledge: good practices, the expert pool, events and project ideas.

Translatable things are Wagtail pages (one per locale, sharing `translation_key`); what
belongs to the thing in every language — registrations, discussion links — attaches to the
`translation_key`, never to one locale's page, so translating never splits an event's list
of participants.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.languages import default_language, site_languages
from core.timezones import time_zone_choices
from groups.models import WorkingGroup

from . import conf
from .choices import (
    EventKind,
    LanguageLevel,
    Region,
    Stage,
    Topic,
    sdg_choices,
    spoken_language_choices,
)
from .choosers import member_chooser_viewset
from .fields import ChoiceListField, split
from .forms import EventPageAdminForm, GoodPracticePageAdminForm
from .panels import VisibleGroupPanel


def _views():
    # Imported lazily: views import models.
    from . import views

    return views


# --- good practices -----------------------------------------------------------------------


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("Figure"), max_length=40, help_text=_("e.g. 38 % or 12,000"))
    label = blocks.CharBlock(label=_("What it measures"), max_length=160)

    class Meta:
        icon = "order"
        label = _("Key figure")
        template = "knowledge/blocks/key_figure.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "knowledge/blocks/captioned_image.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(label=_("Link text"), required=False, max_length=160)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "knowledge/blocks/document_link.html"


class GoodPracticeIndexPage(RoutablePageMixin, Page):
    """The good-practice database (/<lang>/practices/): faceted filters and search."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = conf.index_parent_page_types()
    subpage_types = ["knowledge.GoodPracticePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("good-practice database")

    @path("")
    def listing(self, request):
        return _views().practice_index(request, self)


class GoodPracticePage(RoutablePageMixin, Page):
    """One proven municipal solution, in one language.

    Facet data (place, topics, SDGs) is synchronised across translations by
    wagtail-localize; the texts are translated.
    """

    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"),
        max_length=40,
        choices=Region.choices,
        blank=True,
        help_text=_("Leave empty to derive it from the country."),
    )
    topics = ChoiceListField(_("topics"), item_choices=Topic.choices)
    sdgs = ChoiceListField(
        _("Sustainable Development Goals"), item_choices=sdg_choices, max_length=64
    )
    summary = models.TextField(
        _("summary"), help_text=_("Two or three sentences: what was done, with what effect.")
    )
    challenge = RichTextField(_("the challenge"), blank=True)
    approach = RichTextField(_("the approach"), blank=True)
    results = RichTextField(_("results"), blank=True)
    key_figures = StreamField(
        [("figure", KeyFigureBlock())], blank=True, verbose_name=_("results in figures")
    )
    lessons_learned = RichTextField(_("lessons learned"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("main image"),
    )
    attachments = StreamField(
        [("image", CaptionedImageBlock()), ("document", DocumentLinkBlock())],
        blank=True,
        verbose_name=_("images and documents"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("city"), FieldPanel("country"), FieldPanel("region")]),
                FieldPanel("topics"),
                FieldPanel("sdgs"),
            ],
            heading=_("Where and what"),
        ),
        FieldPanel("challenge"),
        FieldPanel("approach"),
        FieldPanel("results"),
        FieldPanel("key_figures"),
        FieldPanel("lessons_learned"),
        FieldPanel("image"),
        FieldPanel("attachments"),
        InlinePanel("contacts", label=_("Contacts (Plaza members)")),
        InlinePanel("related_groups", label=_("Related working groups")),
    ]
    # Related groups: only those the editor may know about (rendered and validated).
    base_form_class = GoodPracticePageAdminForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("city"),
        index.SearchField("challenge"),
        index.SearchField("approach"),
        index.SearchField("results"),
        index.SearchField("lessons_learned"),
        index.FilterField("translation_key"),
    ]
    # Place and vocabularies are facts about the practice, not text: the same in every language.
    override_translatable_fields = [
        SynchronizedField("topics"),
        SynchronizedField("sdgs"),
        SynchronizedField("city"),
    ]
    # In a partner association's section, its own editors edit it (Wagtail page permissions
    # on the section); the database lists practices wherever they live.
    parent_page_types = conf.practice_parent_page_types()
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def clean(self):
        super().clean()
        if not self.region and self.country:
            from .choices import region_for_country

            self.region = region_for_country(getattr(self.country, "code", self.country))

    @property
    def topic_list(self) -> list[str]:
        return split(self.topics)

    @property
    def topic_labels(self) -> list[str]:
        return self._meta.get_field("topics").labels(self.topics)

    @property
    def sdg_list(self) -> list[int]:
        return [int(v) for v in split(self.sdgs)]

    @property
    def sdg_labels(self) -> list[str]:
        return self._meta.get_field("sdgs").labels(self.sdgs)

    @path("")
    def detail(self, request):
        return _views().practice_detail(request, self)

    @path("discuss/")
    def discuss(self, request):
        return _views().practice_discuss(request, self)


class GoodPracticeContact(Orderable):
    """A Plaza member to ask about the practice (contacted through Plaza, never by email)."""

    page = ParentalKey(GoodPracticePage, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role in the practice"), max_length=160, blank=True)

    panels = [FieldPanel("user", widget=member_chooser_viewset.widget_class), FieldPanel("role")]

    class Meta(Orderable.Meta):
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")


class GoodPracticeGroup(Orderable):
    """A working group the practice relates to (where it is discussed)."""

    page = ParentalKey(GoodPracticePage, on_delete=models.CASCADE, related_name="related_groups")
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("working group")
    )

    panels = [VisibleGroupPanel("group")]

    class Meta(Orderable.Meta):
        verbose_name = _("related working group")
        verbose_name_plural = _("related working groups")


# --- expert pool --------------------------------------------------------------------------


class ExpertProfile(models.Model):
    """What a member offers the network as an expert; listing in the directory is opt-in.

    Organisation, city and country stay on `people.User` (one place for them); this holds
    the expert side. Lives here, not in `people`, because it speaks the groups' topic
    vocabulary and `people` must not depend on `groups`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    position = models.CharField(_("role or position"), max_length=160, blank=True)
    expertise = ChoiceListField(_("expertise"), item_choices=Topic.choices)
    bio = models.TextField(_("short bio"), max_length=1200, blank=True)
    available_for_missions = models.BooleanField(
        _("available for expert missions"),
        default=False,
        help_text=_("Short assignments (days to a few weeks) to advise a partner city."),
    )
    listed = models.BooleanField(
        _("list me in the people directory"),
        default=False,
        help_text=_(
            "Other members can then find you and contact you through "
            "Plaza. Your email address is never shown."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        indexes = [models.Index(fields=["listed", "available_for_missions"])]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def expertise_labels(self) -> list[str]:
        return self._meta.get_field("expertise").labels(self.expertise)


class LanguageSkill(models.Model):
    """A language a member speaks, and how well."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_skills"
    )
    language = models.CharField(_("language"), max_length=8, choices=spoken_language_choices)
    level = models.CharField(
        _("level"), max_length=16, choices=LanguageLevel.choices, default=LanguageLevel.FLUENT
    )

    class Meta:
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "language"], name="knowledge_languageskill_unique"
            )
        ]
        ordering = ["user", "language"]

    def __str__(self) -> str:
        return f"{self.user}: {self.language} ({self.level})"

    @property
    def language_label(self) -> str:
        # Not get_language_display(): that builds all ~80 choices for every row.
        from .choices import language_name

        return language_name(self.language)


class ContactRequest(models.Model):
    """A member's message to another, delivered by Plaza (notification + email).

    The sender never learns the recipient's address; the recipient learns the sender's only
    if the sender chose to share it.
    """

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests_received"
    )
    subject = models.CharField(_("subject"), max_length=160)
    message = models.TextField(_("message"), max_length=4000)
    share_email = models.BooleanField(
        _("share my email address so they can reply directly"), default=False
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient}: {self.subject}"


# --- events -------------------------------------------------------------------------------


class EventIndexPage(RoutablePageMixin, Page):
    """The events calendar (/<lang>/events/) and its iCal feeds."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = conf.index_parent_page_types()
    subpage_types = ["knowledge.EventPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("events calendar")

    @path("")
    def listing(self, request):
        return _views().event_index(request, self)

    # Wagtail page paths allow no dots; the feeds' filenames come from the response.
    @path("feed/")
    def feed(self, request):
        return _views().event_feed(request, self, None)

    @path("feed/groups/<slug:group_slug>/")
    def group_feed(self, request, group_slug):
        return _views().event_feed(request, self, group_slug)


class EventPage(RoutablePageMixin, Page):
    """A conference, training, study trip, dialogue event or webinar, in one language.

    Times are stored aware (UTC in the database) together with the event's own time zone;
    the admin form takes them as wall-clock times in that zone. Registrations attach to
    the `translation_key` (the event in every language).
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        GROUP = "group", _("Members of the organising group")

    kind = models.CharField(
        _("kind"), max_length=16, choices=EventKind.choices, default=EventKind.CONFERENCE
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=time_zone_choices, default="UTC"
    )
    online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(
        _("online meeting link"), blank=True, help_text=_("Shown to confirmed participants only.")
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    languages = ChoiceListField(_("languages"), item_choices=site_languages, max_length=64)
    topics = ChoiceListField(_("topics"), item_choices=Topic.choices)
    group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("organising group"),
    )
    association = models.ForeignKey(
        "partners.PartnerAssociation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("organising partner association"),
    )
    organiser_name = models.CharField(
        _("other organiser"),
        max_length=200,
        blank=True,
        help_text=_(
            "An institution organising the event that is neither a group nor a partner association."
        ),
    )
    audience = models.CharField(
        _("open to"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    registration_enabled = models.BooleanField(_("registration on Plaza"), default=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: until the event starts."),
    )
    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("programme and details"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("time_zone"),
            ],
            heading=_("When (wall-clock time at the event)"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("online"),
                FieldPanel("online_url"),
                FieldPanel("venue"),
                FieldRowPanel([FieldPanel("city"), FieldPanel("country")]),
            ],
            heading=_("Where"),
        ),
        FieldPanel("languages"),
        FieldPanel("topics"),
        MultiFieldPanel(
            [
                FieldPanel("group"),  # choices: EventPageAdminForm
                FieldPanel("association"),
                FieldPanel("organiser_name"),
                FieldPanel("audience"),
            ],
            heading=_("Organiser"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("registration_enabled"),
                FieldPanel("capacity"),
                FieldPanel("registration_deadline"),
            ],
            heading=_("Registration"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("city"),
        index.FilterField("starts_at"),
    ]
    override_translatable_fields = [
        SynchronizedField("languages"),
        SynchronizedField("topics"),
        SynchronizedField("city"),
        SynchronizedField("venue"),
        SynchronizedField("organiser_name"),
    ]
    parent_page_types = ["knowledge.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    # The admin takes times as wall-clock times in the event's own zone.
    base_form_class = EventPageAdminForm

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The event cannot end before it starts.")
        if (
            self.registration_deadline
            and self.starts_at
            and self.registration_deadline > self.ends_at
        ):
            errors["registration_deadline"] = _(
                "The registration deadline must be before the event ends."
            )
        if self.audience == self.Audience.GROUP and not self.group_id:
            errors["audience"] = _("Choose the organising group, or open the event to everyone.")
        if not self.online and not (self.venue or self.city):
            errors["venue"] = _("Give a venue or city, or mark the event as online.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def deadline(self):
        """When registration closes (the deadline, else the start)."""
        return self.registration_deadline or self.starts_at

    @property
    def registration_open(self) -> bool:
        return self.registration_enabled and timezone.now() < self.deadline

    @property
    def language_labels(self) -> list[str]:
        return self._meta.get_field("languages").labels(self.languages)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @cached_property
    def counts(self) -> dict[str, int]:
        rows = (
            EventRegistration.objects.filter(event_key=self.translation_key)
            .values("status")
            .annotate(n=models.Count("pk"))
        )
        found = {row["status"]: row["n"] for row in rows}
        return {status: found.get(status, 0) for status in EventRegistration.Status.values}

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.counts[EventRegistration.Status.CONFIRMED], 0)

    def location_label(self) -> str:
        parts = [p for p in (self.venue, self.city, self.country.name if self.country else "") if p]
        return ", ".join(str(p) for p in parts)

    @path("")
    def detail(self, request):
        return _views().event_detail(request, self)

    @path("register/")
    def register(self, request):
        return _views().event_register(request, self)

    @path("cancel/")
    def cancel(self, request):
        return _views().event_cancel(request, self)

    @path("participants/")
    def participants(self, request):
        return _views().event_participants(request, self)

    @path("participants/csv/")
    def participants_csv(self, request):
        return _views().event_participants_csv(request, self)

    @path("ics/")
    def ics(self, request):
        return _views().event_ics(request, self)

    @classmethod
    def get_indexed_objects(cls):
        # The index holds what a visitor may see (the policy, read as anonymous); results
        # are filtered again per viewer at query time.
        from django.contrib.auth.models import AnonymousUser

        from .permissions import visible_events

        return visible_events(AnonymousUser(), super().get_indexed_objects())

    def get_sitemap_urls(self, request=None):
        # The sitemap is for everyone: the policy as an anonymous visitor, read now.
        from django.contrib.auth.models import AnonymousUser

        from .permissions import can_view_event

        if not can_view_event(AnonymousUser(), self):
            return []
        return super().get_sitemap_urls(request)


class EventRegistration(models.Model):
    """A member's place (or place in the queue) at an event, in all its languages."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event_key = models.UUIDField(
        _("event"), db_index=True, help_text=_("The event page's translation key.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=site_languages, default=default_language
    )
    # Queue order: when the member (re-)entered the list, so a re-registration goes to the back.
    queued_at = models.DateTimeField(_("registered"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "user"], name="knowledge_registration_unique"
            )
        ]
        indexes = [models.Index(fields=["event_key", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.event_key} ({self.status})"

    def event_in(self, language: str | None = None) -> EventPage | None:
        pages = {
            p.locale.language_code: p
            for p in EventPage.objects.filter(translation_key=self.event_key).select_related(
                "locale"
            )
        }
        for code in (language, self.language, settings.LANGUAGE_CODE):
            if code in pages:
                return pages[code]
        return next(iter(pages.values()), None)


# --- project ideas ------------------------------------------------------------------------


class ProjectIdea(models.Model):
    """A group's project idea on its way from idea to funded, implemented and evaluated.

    Texts are members' Markdown, rendered once by the discussions renderer into *_html.
    `stage` is changed only by `services.project_idea_set_stage`, which writes the history.
    """

    group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        related_name="project_ideas",
        verbose_name=_("working group"),
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), max_length=8000)
    problem_html = models.TextField(editable=False, blank=True)
    approach = models.TextField(_("proposed approach"), max_length=8000, blank=True)
    approach_html = models.TextField(editable=False, blank=True)
    cities = models.CharField(
        _("cities involved"), max_length=300, blank=True, help_text=_("Comma separated.")
    )
    region = models.CharField(_("region"), max_length=40, choices=Region.choices, blank=True)
    topics = ChoiceListField(_("topics"), item_choices=Topic.choices)
    expertise_needed = ChoiceListField(_("expertise needed"), item_choices=Topic.choices)
    expertise_note = models.CharField(_("expertise needed, in words"), max_length=300, blank=True)
    stage = models.CharField(
        _("stage"), max_length=24, choices=Stage.choices, default=Stage.IDEA, editable=False
    )
    stage_changed_at = models.DateTimeField(
        _("stage changed"), default=timezone.now, editable=False
    )
    results = models.TextField(_("results"), max_length=8000, blank=True)
    results_html = models.TextField(editable=False, blank=True)
    lessons_learned = models.TextField(_("lessons learned"), max_length=8000, blank=True)
    lessons_learned_html = models.TextField(editable=False, blank=True)
    good_practice_key = models.UUIDField(_("good practice"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every edit of the texts (description, results): the edit forms send the
    # version they were loaded from, so a stale save is refused (core.concurrency).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        verbose_name = _("project idea")
        verbose_name_plural = _("project ideas")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["group", "stage"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("knowledge:idea_detail", args=[self.pk])

    @property
    def topic_labels(self) -> list[str]:
        return self._meta.get_field("topics").labels(self.topics)

    @property
    def expertise_labels(self) -> list[str]:
        return self._meta.get_field("expertise_needed").labels(self.expertise_needed)

    @property
    def city_list(self) -> list[str]:
        return [c.strip() for c in self.cities.split(",") if c.strip()]


class ProjectTeamMember(models.Model):
    """A member of a project idea's team, with their role in it."""

    idea = models.ForeignKey(ProjectIdea, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles"
    )
    role = models.CharField(_("role"), max_length=120)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="knowledge_team_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class ProjectStageChange(models.Model):
    """One step in a project idea's history (written only by the stage service)."""

    idea = models.ForeignKey(ProjectIdea, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=24, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=24, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.idea}: {self.from_stage} → {self.to_stage}"


class FundingOpportunity(index.Indexed, models.Model):
    """A call for proposals project ideas can apply to (kept up to date by editors)."""

    class Currency(models.TextChoices):
        EUR = "EUR", "EUR"
        USD = "USD", "USD"
        GBP = "GBP", "GBP"
        CHF = "CHF", "CHF"

    funder = models.CharField(_("funder"), max_length=200)
    programme = models.CharField(_("programme"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("deadline"))
    amount_min = models.PositiveIntegerField(_("minimum amount"), null=True, blank=True)
    amount_max = models.PositiveIntegerField(_("maximum amount"), null=True, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    regions = ChoiceListField(
        _("eligible regions"),
        item_choices=Region.choices,
        help_text=_("None ticked: open to all regions."),
    )
    topics = ChoiceListField(
        _("eligible topics"),
        item_choices=Topic.choices,
        help_text=_("None ticked: open to all topics."),
    )
    link = models.URLField(_("link"))

    panels = [
        FieldPanel("funder"),
        FieldPanel("programme"),
        FieldPanel("description"),
        FieldPanel("deadline"),
        FieldRowPanel([FieldPanel("amount_min"), FieldPanel("amount_max"), FieldPanel("currency")]),
        FieldPanel("regions"),
        FieldPanel("topics"),
        FieldPanel("link"),
    ]
    search_fields = [
        index.SearchField("funder"),
        index.SearchField("programme"),
        index.SearchField("description"),
    ]

    class Meta:
        verbose_name = _("funding opportunity")
        verbose_name_plural = _("funding opportunities")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.funder}: {self.programme}"

    def clean(self):
        if self.amount_min and self.amount_max and self.amount_max < self.amount_min:
            raise ValidationError({"amount_max": _("The maximum cannot be below the minimum.")})

    @property
    def region_labels(self) -> list[str]:
        return self._meta.get_field("regions").labels(self.regions)

    @property
    def topic_labels(self) -> list[str]:
        return self._meta.get_field("topics").labels(self.topics)

    @property
    def is_open(self) -> bool:
        return self.deadline >= timezone.localdate()


# --- links to discussions -----------------------------------------------------------------


class PracticeThreadLink(models.Model):
    """A thread about a good practice, linked both ways (the practice in every language).

    `discussion`: opened from the practice ("Discuss this practice"); `source`: the thread a
    moderator proposed as a good practice (the practice was drafted from it).
    """

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion of the practice")
        SOURCE = "source", _("Thread the practice was proposed from")

    practice_key = models.UUIDField(
        _("good practice"), db_index=True, help_text=_("The practice page's translation key.")
    )
    thread = models.ForeignKey(
        "discussions.Thread", on_delete=models.CASCADE, related_name="practice_links"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("practice–thread link")
        verbose_name_plural = _("practice–thread links")
        constraints = [
            models.UniqueConstraint(
                fields=["practice_key", "thread"], name="knowledge_practice_thread_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_key} ↔ thread {self.thread_id} ({self.kind})"

    def practice_in(
        self, language: str | None = None, *, live_only: bool = True
    ) -> GoodPracticePage | None:
        qs = GoodPracticePage.objects.filter(translation_key=self.practice_key).select_related(
            "locale"
        )
        if live_only:
            qs = qs.live()
        pages = {p.locale.language_code: p for p in qs}
        for code in (language, settings.LANGUAGE_CODE):
            if code in pages:
                return pages[code]
        return next(iter(pages.values()), None)
