"""The one sanitizer: nothing that runs reaches a page, whatever people type (an XSS corpus)."""

import re
from html.parser import HTMLParser

import pytest

from core.markdown import plain, render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div hx-get="/admin/" hx-trigger="load">x</div>',
    '<span data-hx-post="/accounts/logout" data-hx-trigger="load">x</span>',
    "<iframe src=https://evil.example></iframe>",
    "<form action=https://evil.example><button>go</button></form>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<details open ontoggle="alert(1)">',
    '![x](https://evil.example/p.png" onerror="alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
]
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
    "h3",
    "h4",
}


class Markup(HTMLParser):
    """What a browser would build from the HTML: its tags and attributes (escaped text is only text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))


def dangers(html: str) -> list[str]:
    parser = Markup()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith(("on", "hx-", "data-")) or name in {"style", "src", "srcdoc", "formaction"}:
                found.append(f"{tag}[{name}]")
            if name == "href" and not re.match(r"^(https?:|mailto:)", value or ""):
                found.append(f"{tag}[href={value}]")
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_that_runs_survives(payload):
    html = render(payload)
    assert dangers(html) == [], html


def test_links_are_kept_and_marked_as_user_content():
    html = render("[地图](https://map.example/?q=人民路) 和 <mailto:wang@example.com>")
    assert (
        '<a href="https://map.example/?q=%E4%BA%BA%E6%B0%91%E8%B7%AF" rel="nofollow ugc noopener">地图</a>'
        in html
    )


def test_ordinary_markdown_becomes_its_html():
    assert render("**重点**\n\n- 一\n- 二\n\n> 引用") == (
        "<p><strong>重点</strong></p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>\n<blockquote>\n<p>引用</p>\n</blockquote>"
    )
    assert render("# 大标题") == "<h3>大标题</h3>"  # a post's heading never outranks its page's


def test_a_plain_excerpt_has_no_markup_and_a_limit():
    assert plain("**重点** 是 > 这个", 5) == "重点 是…"


def test_the_detector_sees_what_it_looks_for():
    assert dangers(
        '<p onclick="x">a</p><img src=x><a href="javascript:1">b</a><i style="x" hx-get="/">c</i>'
    ) == [
        "p[onclick]",
        "<img>",
        "img[src]",
        "a[href=javascript:1]",
        "<i>",
        "i[style]",
        "i[hx-get]",
    ]
