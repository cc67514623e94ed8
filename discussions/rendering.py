"""The one place where member-written Markdown becomes HTML.

Pipeline: markdown-it-py ("commonmark" preset, raw HTML off, plus tables and
strikethrough) → token rewrites (images become plain links, headings are demoted below the
thread's own headings, bare URLs and @mentions become links) → nh3 with a strict allowlist.
The result is stored on the post (`Post.body_html`) and is the ONLY user content the
templates ever mark safe.

Why images are links: an <img> pointing anywhere on the web lets a poster track who reads a
private thread (the request leaks readers' IP addresses) and can break the page layout.
A link keeps the reference without either problem.

Why our own linkify: markdown-it-py's linkify needs the extra `linkify-it-py` package;
bare http(s) URLs are the only case members really need, and a small rule on text tokens
(the same walk that finds @mentions) covers it without a new dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Tags and attributes the sanitiser lets through; everything else is dropped (tags keep
# their text content, except the ones in CLEAN_CONTENT_TAGS which vanish completely).
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
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

# The thread title is the page's h1 and each post sits under an h2/h3; a member's "# Title"
# becomes h3 so the document outline stays intact.
HEADING_SHIFT = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}

MAX_MENTIONS = 30
# A handle: letters, digits and . + - _ (Django's username characters minus "@"), not
# starting right after a word character or slash (so emails and URLs are not mentions)
# and ending on a letter, digit or underscore (so "thanks @anna." works).
MENTION_RE = re.compile(r"(?<![\w@/.+-])@([\w.+-]{0,149}\w)", re.UNICODE)
# Bare web addresses; trailing punctuation belongs to the sentence (see `_trim_url`).
URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,:;!?*_~"
CLOSERS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML plus the ids of the existing members it mentions."""

    html: str
    mentioned_user_ids: frozenset[int] = field(default_factory=frozenset)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": False}).enable(
        ["table", "strikethrough"]
    )


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def profile_url(username: str) -> str:
    """A member's page, without a language prefix (stored HTML is shared by all languages;
    LocaleMiddleware redirects to the reader's language)."""
    from urllib.parse import quote

    return f"/discussions/members/{quote(username, safe='')}/"


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a URL."""
    while url:
        last = url[-1]
        if last in TRAILING or (last in CLOSERS and url.count(CLOSERS[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url


def _link(href: str, text: str, css_class: str | None = None) -> list[Token]:
    attrs = {"href": href}
    if css_class:
        attrs["class"] = css_class
    opening = Token("link_open", "a", 1, attrs=attrs)
    label = Token("text", "", 0, content=text)
    return [opening, label, Token("link_close", "a", -1)]


def _inline_text_tokens(tokens: list[Token]):
    """Yield (children list, index) of text tokens that are not inside a link."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for i, child in enumerate(block.children):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                yield block.children, i


def _split_text(
    content: str, known: dict[str, tuple[int, str]], mentioned: set[int]
) -> list[Token] | None:
    """Split one text token into text and link tokens for URLs and known @mentions."""
    spans: list[tuple[int, int, list[Token]]] = []
    for match in URL_RE.finditer(content):
        url = _trim_url(match.group(0))
        if len(url) > len("https://"):
            spans.append((match.start(), match.start() + len(url), _link(url, url)))
    for match in MENTION_RE.finditer(content):
        if any(s <= match.start() < e for s, e, _ in spans):
            continue
        user = known.get(match.group(1).lower())
        if user is None:
            continue
        user_id, username = user
        mentioned.add(user_id)
        spans.append(
            (match.start(), match.end(), _link(profile_url(username), "@" + username, "mention"))
        )
    if not spans:
        return None
    spans.sort(key=lambda s: s[0])
    out: list[Token] = []
    position = 0
    for start, end, link in spans:
        if start > position:
            out.append(Token("text", "", 0, content=content[position:start]))
        out.extend(link)
        position = end
    if position < len(content):
        out.append(Token("text", "", 0, content=content[position:]))
    return out


def _lookup_handles(handles: set[str]) -> dict[str, tuple[int, str]]:
    """Existing, active members by lower-cased handle (one query)."""
    if not handles:
        return {}
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from core.users import handle_field

    field = handle_field()
    query = Q()
    for handle in sorted(handles)[:MAX_MENTIONS]:
        query |= Q(**{f"{field}__iexact": handle})
    rows = get_user_model().objects.filter(query, is_active=True).values_list("pk", field)
    return {username.lower(): (pk, username) for pk, username in rows}


def _rewrite(tokens: list[Token]) -> set[int]:
    """Images → links, headings demoted, bare URLs and @mentions → links. Returns mentions."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = HEADING_SHIFT.get(token.tag, token.tag)
        if token.type == "inline" and token.children:
            children: list[Token] = []
            for child in token.children:
                if child.type == "image":
                    src = str(child.attrs.get("src", ""))
                    label = child.children or [Token("text", "", 0, content=src)]
                    if not child.children or not child.content.strip():
                        label = [Token("text", "", 0, content=src)]
                    children.append(Token("link_open", "a", 1, attrs={"href": src}))
                    children.extend(label)
                    children.append(Token("link_close", "a", -1))
                else:
                    children.append(child)
            token.children = children

    handles: set[str] = set()
    for children, i in _inline_text_tokens(tokens):
        handles.update(m.group(1).lower() for m in MENTION_RE.finditer(children[i].content))
    known = _lookup_handles(handles)

    mentioned: set[int] = set()
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        new_children: list[Token] = []
        depth = 0
        for child in block.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if child.type == "text" and depth == 0:
                replaced = _split_text(child.content, known, mentioned)
                if replaced is not None:
                    new_children.extend(replaced)
                    continue
            new_children.append(child)
        block.children = new_children
    return mentioned


def sanitize_html(html: str) -> str:
    """The allowlist sanitiser on its own (used by `render_markdown`; exposed for tests)."""
    return _cleaner().clean(html)


def render_markdown(source: str) -> Rendered:
    """Render member Markdown to sanitised HTML and find the members it @mentions.

    Safe for any input: raw HTML is off in the parser and nh3 removes every tag, attribute
    and URL scheme outside the allowlist afterwards (defence in depth).
    """
    md = _markdown()
    env: dict = {}
    tokens = md.parse(source or "", env)
    mentioned = _rewrite(tokens)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(html=sanitize_html(html), mentioned_user_ids=frozenset(mentioned))
