"""Two onboarded associations with pages, drafts, images and documents, and one person per role."""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from partners.models import NewsIndexPage, NewsPage, PartnerPage
from tests.factories import UserFactory, create_partner, partner_editor, partner_moderator


@dataclass
class Side:
    """One association's objects. Every title carries the side's secret marker."""

    key: str
    association: object
    section: Page
    regional: PartnerPage  # live, with a newer unpublished draft
    news_index: NewsIndexPage
    draft_news: NewsPage  # never published
    image: object
    document: object
    editor: object
    moderator: object

    @property
    def marker(self) -> str:
        return f"zq{self.key}secret"  # one search token, unlikely anywhere else


@dataclass
class World:
    a: Side
    b: Side
    member: object
    admin: object

    def side(self, key: str) -> Side:
        return self.a if key == "A" else self.b

    def user(self, role: str):
        return {
            "editor_a": self.a.editor,
            "moderator_a": self.a.moderator,
            "editor_b": self.b.editor,
            "member": self.member,
            "admin": self.admin,
        }[role]


def build_side(key: str, *, region: str, languages) -> Side:
    marker = f"zq{key}secret"
    association = create_partner(
        name=f"Association {key}", slug=f"assoc-{key.lower()}", region=region, languages=languages
    )
    section = association.section
    editor = partner_editor(association, username=f"editor{key.lower()}")
    moderator = partner_moderator(association, username=f"moderator{key.lower()}")
    regional = section.add_child(
        instance=PartnerPage(
            title=f"Regional page {key}", slug=f"regional-{key.lower()}", intro="Published text."
        )
    )
    regional.save_revision().publish()
    regional.title = f"{marker} regional draft title"
    regional.save_revision()
    news_index = NewsIndexPage.objects.child_of(section).get()
    draft_news = news_index.add_child(
        instance=NewsPage(title=f"{marker} draft news", slug="draft-news", live=False)
    )
    draft_news.save_revision()
    image = get_image_model().objects.create(
        title=f"{marker} image", file=get_test_image_file(), collection=association.collection
    )
    document = get_document_model().objects.create(
        title=f"{marker} document",
        file=ContentFile(b"minutes", name=f"{key}.txt"),
        collection=association.collection,
    )
    return Side(
        key,
        association,
        section.specific,
        Page.objects.get(pk=regional.pk).specific,
        news_index,
        Page.objects.get(pk=draft_news.pk).specific,
        image,
        document,
        editor,
        moderator,
    )


@pytest.fixture
def world(site_tree):
    a = build_side("A", region="africa", languages=["en", "fr"])
    b = build_side("B", region="asia", languages=["en", "ar"])
    return World(
        a=a,
        b=b,
        member=UserFactory(username="plainmember"),
        admin=UserFactory(username="siteadmin", is_superuser=True, is_staff=True),
    )
