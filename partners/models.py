"""Partner associations and the pages of their sections.

An association runs one section of the site: a PartnerSectionPage directly under the home
page (one per language, all sharing a translation_key) with its news and regional pages
below it. Who may edit that subtree is plain Wagtail permissions (GroupPagePermission on
every locale's section page, GroupCollectionPermission on the association's collection),
set up once by `services.partner_section_create`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.images import get_image_model_string
from wagtail.models import (
    AbstractGroupApprovalTask,
    Collection,
    Page,
    PagePermissionTester,
    Site,
    TaskState,
    Workflow,
    WorkflowState,
)
from wagtail.search import index
from wagtail.signals import workflow_approved

from . import conf
from .blocks import PartnerBodyBlock

HEX_COLOUR = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, for example #0b5d4f.")
)
DEFAULT_ACCENT = "#0b5d4f"


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("The Americas")
    ASIA = "asia", _("Asia and the Middle East")
    EUROPE = "europe", _("Europe")


class PartnerAssociation(models.Model):
    """A regional or national city association that runs its own section of Plaza.

    Created only by `partner_section_create` (which also makes the section pages, the
    editors' and moderators' groups, the collection and optionally a Site and workflow);
    members keep their one Plaza account, the association only adds group memberships.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    languages = models.JSONField(
        _("languages"),
        default=list,
        help_text=_("Language codes of the section; the first is its main language."),
    )
    logo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT, validators=[HEX_COLOUR]
    )
    hostname = models.CharField(_("own hostname"), max_length=255, blank=True)
    section = models.OneToOneField(
        "partners.PartnerSectionPage",
        verbose_name=_("section page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    editors_group = models.OneToOneField(
        Group,
        verbose_name=_("editors' group"),
        on_delete=models.PROTECT,
        related_name="partner_as_editors",
    )
    moderators_group = models.OneToOneField(
        Group,
        verbose_name=_("moderators' group"),
        on_delete=models.PROTECT,
        related_name="partner_as_moderators",
    )
    collection = models.OneToOneField(
        Collection,
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        related_name="partner_association",
    )
    site = models.OneToOneField(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_association",
    )
    workflow = models.ForeignKey(
        Workflow,
        verbose_name=_("workflow"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("partner association")
        verbose_name_plural = _("partner associations")

    def __str__(self) -> str:
        return self.name

    @property
    def main_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE


class SectionRootPermissionTester(PagePermissionTester):
    """Partner editors edit and publish their landing page but never remove or move it.

    The section page is bound to its association (groups, collection, site, workflow all
    hang off it); only a site administrator may delete, move, copy or unpublish it.
    """

    def can_delete(self, ignore_bulk=False):
        return self.user.is_superuser and super().can_delete(ignore_bulk=ignore_bulk)

    def can_move(self):
        return self.user.is_superuser and super().can_move()

    def can_copy(self):
        return self.user.is_superuser and super().can_copy()

    def can_unpublish(self):
        return self.user.is_superuser and super().can_unpublish()


class InSectionMixin:
    """Partner pages know their section (branding, the section menu, regional neighbours)
    and never store unsanitised rich text."""

    def _sanitise_streams(self) -> None:
        # A StreamField keeps JSON it has not parsed as it is; parsing every block runs
        # SanitisedRichTextBlock.to_python, so what gets saved is the cleaned value.
        for field in self._meta.concrete_fields:
            if isinstance(field, StreamField):
                for _block in getattr(self, field.attname) or []:
                    pass

    def save(self, *args, **kwargs):
        self._sanitise_streams()
        return super().save(*args, **kwargs)

    def save_revision(self, *args, **kwargs):
        self._sanitise_streams()
        return super().save_revision(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .selectors import section_context

        context = super().get_context(request, *args, **kwargs)
        context["partner"] = section_context(page=self, request=request)
        return context


class PartnerSectionPage(InSectionMixin, Page):
    """An association's landing page and the root of its section (one per language)."""

    association = models.ForeignKey(
        PartnerAssociation,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="section_pages",
    )
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(PartnerBodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = conf.index_parent_page_types()
    # Good practices an association documents live in its section (its editors own them).
    subpage_types = conf.section_subpage_types()

    class Meta:
        verbose_name = _("partner section")
        verbose_name_plural = _("partner sections")

    @classmethod
    def can_create_at(cls, parent):
        # Sections come only from onboarding (it creates the groups and permissions too).
        return False

    def permissions_for_user(self, user):
        return SectionRootPermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from .selectors import latest_news

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = latest_news(section=self, limit=3)
        return context


class PartnerPage(InSectionMixin, Page):
    """A regional page inside an association's section (about us, programmes, contacts...)."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(PartnerBodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["partners.PartnerSectionPage", "partners.PartnerPage"]
    subpage_types = conf.page_subpage_types()
    show_in_menus_default = True

    class Meta:
        verbose_name = _("regional page")
        verbose_name_plural = _("regional pages")


class NewsIndexPage(InSectionMixin, Page):
    """The news list of one section."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["partners.PartnerSectionPage"]
    subpage_types = ["partners.NewsPage"]
    max_count_per_parent = 1
    show_in_menus_default = True

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_context(self, request, *args, **kwargs):
        from .selectors import news_items

        context = super().get_context(request, *args, **kwargs)
        context["news"] = Paginator(news_items(index=self), 10).get_page(request.GET.get("page"))
        return context


class NewsPage(InSectionMixin, Page):
    """One news item of a section."""

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(PartnerBodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["partners.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-date"]


class PartnersIndexPage(Page):
    """The public list of every partner section, grouped by region."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = conf.index_parent_page_types()
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("partners index")
        verbose_name_plural = _("partners indexes")

    def get_context(self, request, *args, **kwargs):
        from .selectors import sections_by_region

        context = super().get_context(request, *args, **kwargs)
        context["regions"] = sections_by_region(locale_id=self.locale_id)
        return context


class SecondEditorApprovalTask(AbstractGroupApprovalTask):
    """Approval by a member of the chosen groups who is NOT the person who submitted.

    Used for the optional "review by a second editor of the same association" workflow:
    the task's group is the association's editors, and nobody approves their own work.
    """

    @staticmethod
    def _requested_by_id(obj) -> int | None:
        state = getattr(obj, "current_workflow_state", None)
        return state.requested_by_id if state is not None else None

    def get_actions(self, obj, user):
        if not user.is_superuser and self._requested_by_id(obj) == user.pk:
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser:
            return states
        return states.exclude(workflow_state__requested_by=user)

    def on_action(self, task_state: TaskState, user, action_name, **kwargs):
        workflow_state = task_state.workflow_state
        if not user.is_superuser and workflow_state.requested_by_id == user.pk:
            # The action view already asks get_actions; this guards direct calls.
            raise PermissionDenied(_("A second editor must review this page."))
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        # Approving the last step publishes the page. Wagtail publishes with the approver's own
        # rights, but editors under review have no publish permission (so nobody can
        # publish their own work directly): publish on the task's authority instead.
        with transaction.atomic():
            task_state.approve(user=user, update=False, **kwargs)
            if workflow_state.get_next_task() is not None:  # more steps follow
                workflow_state.update(user=user)
                return None
            workflow_state.status = WorkflowState.STATUS_APPROVED
            workflow_state.save(update_fields=["status"])
            workflow_state.content_object.get_latest_revision().publish(
                user=user, skip_permission_checks=True
            )
            workflow_approved.send(sender=WorkflowState, instance=workflow_state, user=user)
        return None

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups, other than the submitter, can approve this task")

    class Meta:
        verbose_name = _("second editor approval task")
        verbose_name_plural = _("second editor approval tasks")
