"""A good practice's page shows everything the issue lists: place, topics, SDGs, the
texts, results in figures, contacts, images and documents, related groups."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage

from knowledge.selectors import PracticeFilter, practice_search
from tests.factories import ExpertProfileFactory, GoodPracticeFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def png(name: str, colour: str = "teal") -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


@pytest.fixture
def media():
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    return {
        "hero": Image.objects.create(title="Market compost heaps", file=png("hero.png")),
        "photo": Image.objects.create(
            title="Farmers collecting compost", file=png("p.png", "olive")
        ),
        "report": Document.objects.create(
            title="Evaluation report 2024", file=ContentFile(b"%PDF-1.4 report", name="report.pdf")
        ),
    }


def test_practice_page_shows_every_part(client, knowledge_pages, media):
    contact = ExpertProfileFactory(user=UserFactory(display_name="Kwame Mensah")).user
    hidden = UserFactory(display_name="Unlisted Ursula")
    group = GroupFactory(with_page=True, name="Waste and circular economy")
    page = GoodPracticeFactory(
        title="Market waste compost",
        city="Kumasi",
        country="GH",
        topics=",waste-circular-economy,",
        sdgs=",11,12,",
        summary="Market waste becomes compost.",
        challenge="<p>Trucks carried all market waste to the landfill.</p>",
        approach="<p>A composting site next to the market.</p>",
        results="<p>Half the waste stays in town.</p>",
        lessons_learned="<p>Start with the traders.</p>",
        image=media["hero"],
        key_figures=[("figure", {"value": "50 %", "label": "less waste trucked"})],
        attachments=[
            ("image", {"image": media["photo"], "caption": "Farmers at the site"}),
            ("document", {"document": media["report"], "label": "Evaluation report"}),
        ],
    )
    page.contacts.create(user=contact, role="Head of waste management")
    page.contacts.create(user=hidden, role="Site manager")
    page.related_groups.create(group=group)
    page.save_revision().publish()
    page.refresh_from_db()

    html = client.get(page.url).content.decode()
    for text in (
        "Kumasi",
        "Ghana",
        "Sub-Saharan Africa",
        "Waste and circular economy",
        "11. Sustainable cities and communities",
        "12. Responsible consumption and production",
        "Market waste becomes compost.",
        "Trucks carried all market waste",
        "A composting site next to the market.",
        "Half the waste stays in town.",
        "50 %",
        "less waste trucked",
        "Start with the traders.",
        "Kwame Mensah",
        "Head of waste management",
        "Unlisted Ursula",  # named as a contact, but with no profile link
        "Farmers at the site",
        'alt="Market compost heaps"',
        'alt="Farmers collecting compost"',
        f'href="{media["report"].url}"',
        "Evaluation report",
        "(PDF)",
        f'href="{group.get_absolute_url()}"',
    ):
        assert text in html, text
    assert f"/en/people/{contact.username}/" not in html  # visitors: no directory links
    client.force_login(UserFactory())
    html = client.get(page.url).content.decode()
    assert f'href="/en/people/{contact.username}/"' in html
    assert f"/en/people/{hidden.username}/" not in html
    # The database shows the main image on the practice's card.
    result = practice_search(PracticeFilter(topic="waste-circular-economy"), "en")
    assert [p.pk for p in result.results] == [page.pk]
    index_html = client.get("/en/practices/").content.decode()
    assert index_html.count("<img") >= 1 and "hero" in index_html


@pytest.mark.parametrize("n", [2, 8])
def test_index_with_images_query_count_is_flat(
    client, knowledge_pages, media, django_assert_max_num_queries, n
):
    for i in range(n):
        GoodPracticeFactory(title=f"Practice with image {i}", image=media["hero"])
    client.get("/en/practices/")  # renditions made once, as on a running site
    with django_assert_max_num_queries(14):
        html = client.get("/en/practices/").content.decode()
    assert html.count("practice-card") == n and html.count("<img") >= n
