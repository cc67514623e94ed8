"""StreamField blocks for partner pages: cms's blocks, with rich text sanitised again.

Partner editors are not trusted. Draftail already turns what they type into Wagtail's
whitelisted "database HTML", but rich text can also reach the database without Draftail
(wagtail-localize translations and PO uploads, imports, a crafted POST). So the stored
HTML is cleaned with nh3 both when it is saved and when it is read back for rendering.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.rich_text import RichText

from cms.blocks import RICH_TEXT_FEATURES, ImageWithCaptionBlock

# Wagtail's database format for the features in RICH_TEXT_FEATURES: internal links are
# <a linktype="page|document" id="..">, Draftail adds data-block-key to block elements.
ALLOWED_TAGS = {"p", "br", "h2", "h3", "b", "i", "strong", "em", "ol", "ul", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "linktype", "id"}, "*": {"data-block-key"}}
CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "svg",
    "math",
    "template",
    "iframe",
    "object",
    "embed",
    "noscript",
}


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        # The stored format must stay Wagtail's own; rel is added by the link handler.
        link_rel=None,
        strip_comments=True,
    )


def clean_rich_text(html: str) -> str:
    """Wagtail database HTML reduced to the partner allowlist (drops scripts, on* handlers)."""
    if not html:
        return ""
    return _cleaner().clean(html)


class SanitisedRichTextBlock(blocks.RichTextBlock):
    """A RichTextBlock whose stored HTML is cleaned on save and again on load."""

    def get_prep_value(self, value):
        return clean_rich_text(super().get_prep_value(value))

    def to_python(self, value):
        return RichText(clean_rich_text(value or ""))

    def bulk_to_python(self, values):
        return [self.to_python(value) for value in values]


class PartnerBodyBlock(blocks.StreamBlock):
    """cms's BodyBlock for partner pages: no raw HTML, no embeds, sanitised paragraphs."""

    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = SanitisedRichTextBlock(label=_("Paragraph"), features=RICH_TEXT_FEATURES)
    image = ImageWithCaptionBlock()
    quote = blocks.BlockQuoteBlock(label=_("Quote"))
