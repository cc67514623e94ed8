"""Working groups: the canonical community row, its translatable pages, and membership.

A group is ONE community in all its languages. `WorkingGroup` holds everything that must
not split across translations (memberships, requests, invitations, bans, the log);
`GroupPage` is the translatable Wagtail page that presents it, one per locale, all
pointing at the same `WorkingGroup`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Collection, Locale, Page
from wagtail.search import index

from . import conf

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
INVITATION_LIFETIME = timedelta(days=14)


def _views():
    # Imported lazily: views import models.
    from . import views

    return views


class Topic(models.TextChoices):
    """Themes working groups gather around (the directory's topic filter)."""

    URBAN_MOBILITY = "urban-mobility", _("Urban mobility")
    CLIMATE_ADAPTATION = "climate-adaptation", _("Climate adaptation")
    LOCAL_ECONOMY = "local-economic-development", _("Local economic development")
    CIRCULAR_ECONOMY = "waste-circular-economy", _("Waste and circular economy")
    DIGITALISATION = "digitalisation", _("Digitalisation")
    GOVERNANCE = "urban-governance", _("Good urban governance")
    ENERGY = "energy-efficiency", _("Energy efficiency")
    INTEGRATED = "integrated-urban-development", _("Integrated urban development")


class Region(models.TextChoices):
    """World regions regional groups cover (the directory's region filter)."""

    SUB_SAHARAN_AFRICA = "sub-saharan-africa", _("Sub-Saharan Africa")
    MENA = "mena", _("Middle East and North Africa")
    LATIN_AMERICA = "latin-america", _("Latin America")
    ASIA = "asia", _("Asia")
    SEE_CAUCASUS = "southeast-europe-caucasus", _("Southeast Europe and Caucasus")
    GLOBAL = "global", _("Global")


class WorkingGroupQuerySet(models.QuerySet):
    def with_language(self, code: str) -> WorkingGroupQuerySet:
        # `languages` is ",en,fr," (delimited both ends) so a substring match is exact.
        return self.filter(languages__contains=f",{code},")


class WorkingGroup(models.Model):
    """The canonical working group, one row shared by every translation of its page.

    Memberships, join requests, invitations, bans, the membership log and (later)
    threads attach here, so translating the page never splits the community.
    """

    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("Thematic")
        REGIONAL = "regional", _("Regional")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")
        SECRET = "secret", _("Secret")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open")
        REQUEST = "request", _("On request")
        INVITE = "invite", _("Invitation only")

    Topic = Topic
    Region = Region

    name = models.CharField(
        _("name"),
        max_length=160,
        help_text=_("Default-language name, used in emails and the admin."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.THEMATIC)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("join policy"), max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices, blank=True)
    region = models.CharField(_("region"), max_length=40, choices=Region.choices, blank=True)
    languages = models.CharField(
        _("languages of work"),
        max_length=64,
        default=",en,",
        blank=True,
        help_text=_("Language codes, comma separated."),
    )
    member_count = models.PositiveIntegerField(_("member count"), default=0, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped by every settings change: the settings form sends the version it was loaded
    # from, so a stale save is refused instead of undoing a newer one (core.concurrency).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    # The group's own Wagtail collection: files in it (meeting minutes linked from the
    # members' note) are readable by whoever may read the group's content (files.policy).
    collection = models.OneToOneField(
        Collection,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="working_group",
        verbose_name=_("files collection"),
    )

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name"]
        indexes = [models.Index(fields=["visibility", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self, language_code: str | None = None) -> str:
        """The localised page URL ('' when the group has no live page)."""
        from django.utils import translation

        page = self.page_in(language_code or translation.get_language())
        return (page.get_url() or "") if page else ""

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def language_names(self) -> list[str]:
        names = dict(settings.LANGUAGES)
        return [names.get(code, code) for code in self.language_list]

    @staticmethod
    def encode_languages(codes) -> str:
        codes = [c for c in LANGUAGE_CODES if c in set(codes)]
        return f",{','.join(codes)}," if codes else ""

    def page_in(self, language_code: str | None = None) -> GroupPage | None:
        """The live page in that locale, falling back to the default locale (or any)."""
        pages = {
            p.locale.language_code: p
            for p in GroupPage.objects.live().filter(group=self).select_related("locale")
        }
        for code in (language_code, settings.LANGUAGE_CODE):
            if code and code in pages:
                return pages[code]
        return next(iter(pages.values()), None)


class GroupIndexPage(RoutablePageMixin, Page):
    """The group directory (/<lang>/groups/): filters, search, pagination, without JS."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = conf.index_parent_page_types()
    subpage_types = ["groups.GroupPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("group directory")

    # Routes only delegate: the work happens in groups.views (thin) and groups.services.
    @path("")
    def directory(self, request):
        return _views().directory(request, self)

    @path("new/")
    def create(self, request):
        return _views().group_create_view(request, self)

    @path("feed/")
    def feed(self, request):
        return _views().directory_feed(request, self)

    @path("invitations/<str:token>/")
    def invitation(self, request, token):
        return _views().invitation_respond(request, self, token)


class GroupPage(RoutablePageMixin, Page):
    """A working group's page in one language: purpose, charter, member-only notes.

    All translations share `group` (copy_for_translation copies the foreign key), so the
    membership is the group's, not the page's.
    """

    group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.PROTECT,
        related_name="pages",
        verbose_name=_("working group"),
    )
    purpose = models.TextField(
        _("purpose"), blank=True, help_text=_("One or two sentences shown in the directory.")
    )
    charter = RichTextField(_("charter"), blank=True)
    members_note = RichTextField(
        _("note for members"),
        blank=True,
        help_text=_("Shown only to people who may read the group's content (e.g. meeting links)."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("group"),
        FieldPanel("purpose"),
        FieldPanel("charter"),
        FieldPanel("members_note"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("purpose"), index.FilterField("group")]
    parent_page_types = ["groups.GroupIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("group page")

    @path("")
    def detail(self, request):
        return _views().group_detail(request, self)

    @path("members/")
    def members(self, request):
        return _views().members(request, self)

    @path("members/<int:user_id>/")
    def member_action(self, request, user_id):
        return _views().member_action(request, self, user_id)

    @path("join/")
    def join(self, request):
        return _views().join(request, self)

    @path("leave/")
    def leave(self, request):
        return _views().leave(request, self)

    @path("request/")
    def request_join(self, request):
        return _views().request_join(request, self)

    @path("requests/")
    def requests(self, request):
        return _views().requests(request, self)

    @path("requests/<int:request_id>/")
    def request_decide(self, request, request_id):
        return _views().request_decide(request, self, request_id)

    @path("invitations/")
    def invitations(self, request):
        return _views().invitations(request, self)

    @path("invitations/<int:invitation_id>/revoke/")
    def invitation_revoke(self, request, invitation_id):
        return _views().invitation_revoke(request, self, invitation_id)

    @path("bans/")
    def bans(self, request):
        return _views().bans(request, self)

    @path("bans/<int:user_id>/lift/")
    def ban_lift(self, request, user_id):
        return _views().ban_lift(request, self, user_id)

    @path("log/")
    def log(self, request):
        return _views().log(request, self)

    @path("settings/")
    def group_settings(self, request):
        return _views().group_settings(request, self)

    def clean(self):
        super().clean()
        # One page per group and language: a second one would split how the group is shown.
        if self.group_id and self.locale_id:
            clash = GroupPage.objects.filter(
                group_id=self.group_id, locale_id=self.locale_id
            ).exclude(pk=self.pk)
            if clash.exists():
                from django.core.exceptions import ValidationError

                raise ValidationError(
                    {"group": _("This group already has a page in this language.")}
                )

    @classmethod
    def get_indexed_objects(cls):
        # The index holds what a visitor may know of (the policy, read as anonymous):
        # secret groups stay out of it entirely.
        from django.contrib.auth.models import AnonymousUser

        from .permissions import viewable_groups

        return super().get_indexed_objects().filter(group__in=viewable_groups(AnonymousUser()))

    def get_sitemap_urls(self, request=None):
        # The sitemap is for everyone: the policy as an anonymous visitor, read now.
        from django.contrib.auth.models import AnonymousUser

        from .permissions import can_view_group

        if not can_view_group(AnonymousUser(), self.group):
            return []
        return super().get_sitemap_urls(request)


class Membership(models.Model):
    """A user's membership of a working group, with their role in it."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Moderator")
        OWNER = "owner", _("Owner")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groups_membership_unique")
        ]
        indexes = [models.Index(fields=["group", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def is_moderator(self) -> bool:
        return self.role in (self.Role.MODERATOR, self.Role.OWNER)


class Ban(models.Model):
    """A user banned from one group (not site-wide). Banned users are not members."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="bans")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_bans"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("banned"), auto_now_add=True)

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="groups_ban_unique")]

    def __str__(self) -> str:
        return f"{self.user} banned from {self.group}"


class JoinRequest(models.Model):
    """A request to join an on-request group; moderators approve or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_join_requests"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(status="pending"),
                name="groups_one_pending_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group} ({self.status})"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _default_expiry():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An invitation to a group, for a registered user or an email address.

    An emailed invitation is matched to the account that later signs up with (and
    confirms) that address; it expires after `INVITATION_LIFETIME`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_invitations",
    )
    email = models.EmailField(_("email"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    expires_at = models.DateTimeField(_("expires"), default=_default_expiry)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "status"])]

    def __str__(self) -> str:
        return f"{self.user or self.email} → {self.group} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired

    @property
    def display_status(self) -> str:
        if self.status == self.Status.PENDING and self.is_expired:
            return str(_("Expired"))
        return self.get_status_display()


class MembershipLogEntry(models.Model):
    """One membership change: who did what to whom, when and why. Moderators read it."""

    class Action(models.TextChoices):
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")
        ADDED = "added", _("added")
        REMOVED = "removed", _("removed")
        REQUESTED = "requested", _("requested to join")
        REQUEST_WITHDRAWN = "request_withdrawn", _("withdrew the request")
        APPROVED = "approved", _("approved the request")
        DECLINED = "declined", _("declined the request")
        INVITED = "invited", _("invited")
        INVITATION_ACCEPTED = "invitation_accepted", _("accepted the invitation")
        INVITATION_DECLINED = "invitation_declined", _("declined the invitation")
        INVITATION_REVOKED = "invitation_revoked", _("revoked the invitation")
        BANNED = "banned", _("banned")
        UNBANNED = "unbanned", _("lifted the ban")
        ROLE_CHANGED = "role_changed", _("changed the role")
        SETTINGS_CHANGED = "settings_changed", _("changed the settings")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="log_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_email = models.EmailField(blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("membership log entry")
        verbose_name_plural = _("membership log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d} {self.actor} {self.action} "
            f"{self.subject or self.subject_email}"
        )

    @property
    def detail_display(self) -> str:
        """Role codes in `detail` ("member → moderator") shown with their translated labels."""
        if self.action == self.Action.SETTINGS_CHANGED:
            return self.detail
        labels = dict(Membership.Role.choices)
        return " → ".join(
            str(labels.get(part.strip(), part.strip())) for part in self.detail.split("→")
        )


def default_locale() -> Locale:
    # Wagtail's own answer: LANGUAGE_CODE as one of the content languages ("en-us" → "en").
    return Locale.get_default()
