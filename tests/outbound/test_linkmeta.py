from __future__ import annotations

import pytest

from rookery.outbound.linkmeta import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    decode_html,
    extract_link_card,
    strip_html,
    truncate_text,
)

URL = "https://www.example.com/blog/2024/post.html"


def page(head: str, body: str = "<p>body</p>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_opengraph_wins_over_title_and_meta_description() -> None:
    card = extract_link_card(
        page(
            '<title>Page title | Site</title><meta name="description" content="Meta desc">'
            '<meta property="og:title" content="OG title">'
            '<meta property="og:description" content="OG desc">'
            '<meta property="og:site_name" content="Example Blog">'
            '<meta property="og:image" content="https://cdn.example.com/a.png">'
        ),
        URL,
        "utf-8",
    )
    assert card.title == "OG title"
    assert card.description == "OG desc"
    assert card.site_name == "Example Blog"
    assert card.image_url == "https://cdn.example.com/a.png"
    assert card.domain == "example.com"
    assert card.url == URL


def test_twitter_tags_then_title_and_meta_description_as_fallbacks() -> None:
    card = extract_link_card(
        page(
            '<meta name="twitter:title" content="Tw title">'
            '<meta name="twitter:image" content="/img/tw.jpg">'
            '<meta name="description" content="Plain description">'
        ),
        URL,
        None,
    )
    assert card.title == "Tw title"
    assert card.description == "Plain description"
    assert card.image_url == "https://www.example.com/img/tw.jpg"
    card = extract_link_card(page("<title>\n  Just a   title\n</title>"), URL, None)
    assert card.title == "Just a title"
    assert card.description is None
    assert card.image_url is None
    assert card.site_name is None


@pytest.mark.parametrize(
    ("og_title", "expected"),
    [
        ("&lt;script&gt;alert(1)&lt;/script&gt;Hello", "Hello"),
        ("&lt;img src=x onerror=alert(1)&gt;Hi &lt;b&gt;there&lt;/b&gt;", "Hi there"),
        ("&quot;&gt;&lt;svg onload=alert(1)&gt;Quoted", '">Quoted'),
        ("Fish &amp;amp; chips", "Fish & chips"),
        ("a &lt; b and c &gt; d", "a < b and c > d"),
    ],
)
def test_xss_in_og_title_comes_back_as_plain_text(og_title: str, expected: str) -> None:
    card = extract_link_card(page(f'<meta property="og:title" content="{og_title}">'), URL, None)
    assert card.title == expected
    assert "<script" not in (card.title or "")
    assert "onerror" not in (card.title or "")


def test_markup_inside_title_element_is_stripped() -> None:
    card = extract_link_card(
        page("<title>Hello <script>alert(1)</script><b>world</b></title>"), URL, None
    )
    assert card.title == "Hello world"


def test_svg_title_is_not_the_page_title() -> None:
    html = b"<html><head><svg><title>icon</title></svg><title>Real</title></head></html>"
    assert extract_link_card(html, URL, None).title == "Real"


@pytest.mark.parametrize(
    ("og_image", "expected"),
    [
        ("/images/cover.png", "https://www.example.com/images/cover.png"),
        ("cover.png", "https://www.example.com/blog/2024/cover.png"),
        ("//cdn.example.net/x.png", "https://cdn.example.net/x.png"),
        ("javascript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("ftp://example.com/x.png", None),
        ("", None),
    ],
)
def test_image_url_is_absolute_http(og_image: str, expected: str | None) -> None:
    card = extract_link_card(page(f'<meta property="og:image" content="{og_image}">'), URL, None)
    assert card.image_url == expected


def test_base_href_is_honoured_for_relative_images() -> None:
    card = extract_link_card(
        page('<base href="https://static.example.org/"><meta property="og:image" content="i.png">'),
        URL,
        None,
    )
    assert card.image_url == "https://static.example.org/i.png"


def test_long_strings_are_truncated_at_a_word_boundary() -> None:
    long_title = " ".join(["word"] * 200)
    long_desc = " ".join(["lorem"] * 400)
    card = extract_link_card(
        page(
            f'<meta property="og:title" content="{long_title}">'
            f'<meta property="og:description" content="{long_desc}">'
        ),
        URL,
        None,
    )
    assert card.title is not None and len(card.title) <= TITLE_MAX
    assert card.title.endswith("word…")
    assert card.description is not None and len(card.description) <= DESCRIPTION_MAX
    assert card.description.endswith("lorem…")


def test_charset_from_http_header_is_used() -> None:
    html = "<html><head><title>Café crème</title></head></html>".encode("iso-8859-1")
    assert extract_link_card(html, URL, "ISO-8859-1").title == "Café crème"


def test_charset_from_meta_tag_is_used_when_no_header() -> None:
    html = '<html><head><meta charset="windows-1251"><title>Привет</title></head></html>'.encode(
        "windows-1251"
    )
    assert extract_link_card(html, URL, None).title == "Привет"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
        "<title>Prix 5 €</title></head></html>"
    ).encode("iso-8859-15")
    assert extract_link_card(html, URL, None).title == "Prix 5 €"


def test_latin1_label_decodes_as_windows_1252_like_browsers() -> None:
    html = "<title>“Quoted”</title>".encode("cp1252")
    assert extract_link_card(html, URL, "iso-8859-1").title == "“Quoted”"


def test_bogus_charset_falls_back_to_utf8_without_crashing() -> None:
    html = "<title>naïve</title>".encode()
    assert extract_link_card(html, URL, "x-no-such-charset").title == "naïve"
    assert extract_link_card(b"<title>\xff\xfe broken</title>", URL, None).title is not None


def test_utf8_bom_overrides_a_wrong_header() -> None:
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>", "iso-8859-1") == "<p>é</p>"


def test_empty_and_garbage_input() -> None:
    card = extract_link_card(b"", URL, None)
    assert card.title is None and card.description is None and card.domain == "example.com"
    assert extract_link_card(b"\x00\x01<<<>>>", URL, None).title is None


def test_strip_html_keeps_paragraph_breaks_when_asked() -> None:
    fragment = "<h2>Intro</h2><p>One &amp; two.</p><p>Three<br>four</p>"
    assert strip_html(fragment) == "Intro One & two. Three four"
    assert strip_html(fragment, keep_paragraphs=True) == "Intro\n\nOne & two.\n\nThree\n\nfour"


def test_truncate_text() -> None:
    assert truncate_text("short", 10) == "short"
    assert truncate_text("hello wonderful world", 16) == "hello wonderful…"
    assert truncate_text("x" * 50, 10) == "x" * 9 + "…"
