"""Partner editors are not trusted: rich text is sanitised on save and on render, no raw HTML."""

import json

import pytest
from django.db import connection
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.blocks import RICH_TEXT_FEATURES
from partners.blocks import SanitisedRichTextBlock, clean_rich_text
from partners.models import NewsPage, PartnerPage, PartnerSectionPage
from tests.factories import create_partner, partner_editor

EVIL = (
    '<p data-block-key="k1">Safe words<script>alert("s")</script>'
    '<img src="x" onerror="alert(\'i\')"><a href="javascript:alert(\'j\')">click</a>'
    '<a href="https://example.org" onclick="alert(\'c\')">ok link</a></p>'
    '<iframe src="https://evil.example"></iframe><h2 style="color:red">Title</h2>'
)


def assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<img",
        "style=",
        "alert(",
    ):
        assert bad not in lowered, bad


def stored_body(page) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT body FROM {type(page)._meta.db_table} WHERE page_ptr_id = %s", [page.pk]
        )
        return cursor.fetchone()[0]


def test_the_cleaner_keeps_wagtail_rich_text_and_drops_the_rest():
    html = clean_rich_text(
        EVIL + '<p><a linktype="page" id="3">internal</a> <b>bold</b> <i>it</i></p>'
    )
    assert_clean(html)
    assert '<p data-block-key="k1">Safe words' in html
    assert '<a href="https://example.org">ok link</a>' in html
    assert '<a linktype="page" id="3">internal</a>' in html and "<b>bold</b>" in html
    assert "<h2>Title</h2>" in html


@pytest.mark.parametrize("model", [PartnerSectionPage, PartnerPage, NewsPage])
def test_partner_pages_offer_only_the_safe_blocks(model):
    stream_block = model._meta.get_field("body").stream_block
    assert set(stream_block.child_blocks) == {"heading", "paragraph", "image", "quote"}
    paragraph = stream_block.child_blocks["paragraph"]
    assert isinstance(paragraph, SanitisedRichTextBlock)
    assert paragraph.features == RICH_TEXT_FEATURES
    for child in stream_block.child_blocks.values():
        assert not isinstance(child, (blocks.RawHTMLBlock, EmbedBlock))


@pytest.mark.django_db
def test_script_and_handlers_are_stripped_on_save_and_render(client, site_tree):
    association = create_partner(name="Assoc", languages=["en"])
    page = association.section.add_child(
        instance=PartnerPage(
            title="Evil", slug="evil", body=json.dumps([{"type": "paragraph", "value": EVIL}])
        )
    )
    page.save_revision().publish()
    assert_clean(stored_body(page))
    assert "Safe words" in stored_body(page)

    # Even if raw HTML reaches the table some other way, rendering cleans it again.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE partners_partnerpage SET body = %s WHERE page_ptr_id = %s",
            [json.dumps([{"type": "paragraph", "value": EVIL, "id": "x"}]), page.pk],
        )
    assert "<script" in stored_body(page)
    html = client.get("/en/assoc/evil/").content.decode()
    article = html[html.index("<article") : html.index("</article>")]
    assert "Safe words" in article and "ok link" in article
    assert_clean(article)


@pytest.mark.django_db
def test_what_an_editor_posts_through_the_admin_is_sanitised(client, site_tree):
    association = create_partner(name="Assoc", languages=["en"])
    editor = partner_editor(association)
    page = association.section.add_child(instance=PartnerPage(title="Page", slug="page"))
    page.save_revision().publish()
    text = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> link"
    contentstate = json.dumps(
        {
            "blocks": [
                {
                    "key": "a1b2c",
                    "type": "unstyled",
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": text.index("link"), "length": 4, "key": 0}],
                    "data": {},
                }
            ],
            "entityMap": {
                "0": {
                    "type": "LINK",
                    "mutability": "MUTABLE",
                    "data": {"url": "javascript:alert(3)"},
                }
            },
        }
    )
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        nested_form_data(
            {
                "title": "Page",
                "slug": "page",
                "intro": "",
                "comments": inline_formset([]),
                "body": streamfield([("paragraph", contentstate)]),
                "action-publish": "action-publish",
            }
        ),
    )
    assert response.status_code == 302
    stored = stored_body(page)
    assert "Hello" in stored
    assert "<script" not in stored and "<img" not in stored and "javascript:" not in stored
    html = client.get("/en/assoc/page/").content.decode()
    article = html[html.index("<article") : html.index("</article>")]
    assert "Hello &lt;script&gt;" in article  # shown as text, never run
    assert_clean(
        article.replace("&lt;script&gt;alert(1)&lt;/script&gt;", "").replace(
            "&lt;img src=x onerror=alert(2)&gt;", ""
        )
    )
