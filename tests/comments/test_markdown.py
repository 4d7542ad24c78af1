"""The Markdown subset: what renders, and that nothing hostile survives."""

import random
from html.parser import HTMLParser

import pytest

from participation.comments.markdown import ALLOWED_TAGS, LINK_REL, clean_source, render
from participation.core.errors import DomainError


class Inventory(HTMLParser):
    """Every tag and attribute in a fragment of HTML."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.links, self.attributes = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name) for name, _value in attrs)
        if tag == "a":
            self.links.append(dict(attrs))


def assert_safe(html):
    found = Inventory(html)
    assert set(found.tags) <= ALLOWED_TAGS
    assert set(found.attributes) <= {("a", "href"), ("a", "rel")}
    for link in found.links:
        assert link["rel"] == LINK_REL
        assert link["href"].split(":", 1)[0].lower() in {"http", "https", "mailto"}


def test_the_subset_renders():
    html = render(
        "**bold** *it*\nnext line\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n[site](https://example.org/a?b=1&c=2)"
    )
    assert html == (
        "<p><strong>bold</strong> <em>it</em><br>\nnext line</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        f'<p><a href="https://example.org/a?b=1&amp;c=2" rel="{LINK_REL}">site</a></p>'
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "see https://example.org now",
            f'<p>see <a href="https://example.org" rel="{LINK_REL}">https://example.org</a> now</p>',
        ),
        (
            "<https://example.org>",
            f'<p><a href="https://example.org" rel="{LINK_REL}">https://example.org</a></p>',
        ),
        (
            "[write](mailto:someone@example.org)",
            f'<p><a href="mailto:someone@example.org" rel="{LINK_REL}">write</a></p>',
        ),
        (
            '[t](https://example.org "a title")',
            f'<p><a href="https://example.org" rel="{LINK_REL}">t</a></p>',
        ),
    ],
)
def test_links_are_kept_with_the_rel(source, expected):
    assert render(source) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("[x](javascript:alert(1))", "<p>x</p>"),
        (
            '<a href="JaVaScRiPt:alert(1)">y</a>',
            '<p>&lt;a href="JaVaScRiPt:alert(1)"&gt;y&lt;/a&gt;</p>',
        ),
        ("[y](JaVaScRiPt:alert(1))", "<p>y</p>"),
        ("[z](jav&#x61;script:alert(1))", "<p>z</p>"),
        ("[z](java\nscript:alert(1))", "<p>z</p>"),
        ("[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<p>d</p>"),
        ("[v](vbscript:msgbox)", "<p>v</p>"),
        (
            "![pic](https://example.org/x.png)",
            f'<p>![pic](<a href="https://example.org/x.png" rel="{LINK_REL}">https://example.org/x.png</a>)</p>',
        ),
        ("[r][1]\n\n[1]: javascript:alert(2)", "<p>r</p>"),
        (
            '<a href="https://example.org" onclick="steal()">z</a>',
            f'<p>&lt;a href="<a href="https://example.org" rel="{LINK_REL}">https://example.org</a>" onclick="steal()"&gt;z&lt;/a&gt;</p>',
        ),
        ("[relative](/fr/account/delete)", "<p>relative</p>"),
        ("[protocol-relative](//evil.example/x)", "<p>protocol-relative</p>"),
        (
            "<div onmouseover=alert(1)>hover</div>",
            "<p>&lt;div onmouseover=alert(1)&gt;hover&lt;/div&gt;</p>",
        ),
        ("<!-- hidden --> text", "<p>&lt;!-- hidden --&gt; text</p>"),
        ("<iframe src=//evil></iframe>", "<p>&lt;iframe src=//evil&gt;&lt;/iframe&gt;</p>"),
        ("`<b>code</b>`", "<p>`&lt;b&gt;code&lt;/b&gt;`</p>"),
        ("# Heading", "<p># Heading</p>"),
        (
            "<style>body{display:none}</style>",
            "<p>&lt;style&gt;body{display:none}&lt;/style&gt;</p>",
        ),
    ],
)
def test_hostile_input_is_neutralised(source, expected):
    html = render(source)
    assert html == expected
    assert_safe(html)


@pytest.mark.parametrize(
    "source",
    [
        "**unclosed *mixed [link](http://a",
        "> > > nested\n>> quote\n- list\n  * inner\n1) odd",
        '[a](http://a" onmouseover="x)',
        "[[[[]]]]((((()))))",
        "<<<<>>>>&&&&;;;;",
        "*" * 500,
        "\u202eevil\u202c [x](https://example.org)",
        "- [x](javascript:alert(1))\n- <img src=x>",
        "[bracketed host](https://[a]/x) and http://[::1 and <https://[zz]>",
        "[port](https://example.org:99999/) www.example.org:abc",
    ],
)
def test_malformed_markdown_stays_within_the_allow_list(source):
    assert_safe(render(source))


def test_random_mixtures_of_hostile_fragments_stay_safe():
    fragments = [
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "[a](",
        "javascript:",
        "JaVaScRiPt:",
        "data:text/html,",
        ")",
        "](",
        '<a href="',
        '">',
        "**",
        "*",
        "> ",
        "\n",
        "- ",
        "1. ",
        "`",
        "&#x6A;",
        "&lt;",
        "onload=",
        "https://x.org",
        "<svg onload=alert(1)>",
        '"',
        "'",
        "[",
        "]",
        "<",
        ">",
        "https://[",
        "mailto:",
        "//",
        ":",
        "www.",
    ]
    rng = random.Random(2018)
    for _ in range(1000):
        source = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 25)))
        html = render(source)
        assert_safe(html)
        assert "<script" not in html.lower()
        assert "<img" not in html.lower()
        assert "<svg" not in html.lower()


def test_clean_source_normalises_line_ends_and_trims(app):
    assert clean_source("  a\r\nb\rc  \n") == "a\nb\nc"


@pytest.mark.parametrize("source", ["", "   ", "\n\r\n\t", None])
def test_clean_source_refuses_empty_text(app, source):
    with pytest.raises(DomainError) as refused:
        clean_source(source)
    assert refused.value.code == "empty"


def test_clean_source_counts_characters_not_bytes(app):
    maximum = app.config["COMMENT_MAX_LENGTH"]
    assert maximum == 2000
    assert clean_source("ⵣ" * maximum) == "ⵣ" * maximum  # 3 bytes each in UTF-8
    with pytest.raises(DomainError) as refused:
        clean_source("ب" * (maximum + 1))
    assert refused.value.code == "too_long"
    assert "2000" in str(refused.value.message)


def test_a_megabyte_is_refused_before_rendering(app):
    with pytest.raises(DomainError) as refused:
        clean_source("<script>" * (1024 * 1024 // 8))
    assert refused.value.code == "too_long"
