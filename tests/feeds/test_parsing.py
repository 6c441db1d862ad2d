from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from rookery.feeds.parsing import (
    FeedEntry,
    FeedParseError,
    discover_feeds,
    entry_key,
    normalise_url,
    parse_feed,
)

FEED_URL = "https://blog.example.com/feed.xml"

RSS20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Ana's blog</title>
  <link>https://blog.example.com/</link>
  <item>
    <title>Scaling Postgres</title>
    <link>https://blog.example.com/posts/scaling-postgres/</link>
    <guid isPermaLink="false">post-42</guid>
    <pubDate>Tue, 01 Oct 2024 10:00:00 +0200</pubDate>
    <description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;
      &lt;script&gt;alert(1)&lt;/script&gt;</description>
    <content:encoded><![CDATA[<p>Full <em>text</em>
      <img src="/img/a.png" onerror="x()"></p>]]></content:encoded>
  </item>
  <item>
    <title>No guid, no date</title>
    <link>/posts/relative?utm_source=rss#top</link>
  </item>
</channel>
</rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example.org/">
    <title>Old school</title>
    <link>https://old.example.org/</link>
    <description>RDF</description>
  </channel>
  <item rdf:about="https://old.example.org/one">
    <title>First</title>
    <link>https://old.example.org/one</link>
    <dc:date>2024-05-06T07:08:09Z</dc:date>
  </item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.net/blog/">
  <title type="html">Bo &amp;lt;3 Atom</title>
  <link rel="alternate" href="https://atom.example.net/"/>
  <link rel="self" href="https://atom.example.net/feed.atom"/>
  <id>urn:uuid:feed</id>
  <updated>2024-03-01T12:00:00Z</updated>
  <entry>
    <title type="html">&lt;em&gt;Typed&lt;/em&gt; titles</title>
    <link rel="alternate" href="entries/typed"/>
    <id>tag:atom.example.net,2024:typed</id>
    <published>2024-03-01T10:00:00-05:00</published>
    <updated>2024-03-02T00:00:00Z</updated>
    <summary type="text">A plain summary &lt; with a less-than</summary>
    <content type="html">&lt;p&gt;See &lt;a href="../about"&gt;about&lt;/a&gt;&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_rss20() -> None:
    feed = parse_feed(RSS20, url=FEED_URL, content_type="application/rss+xml; charset=utf-8")
    assert feed.title == "Ana's blog"
    assert feed.site_url == "https://blog.example.com/"
    assert feed.format == "rss20"
    assert feed.warning is None
    first, _ = feed.entries
    assert first.guid == "post-42"
    assert first.link == "https://blog.example.com/posts/scaling-postgres/"
    assert first.title == "Scaling Postgres"
    assert first.published == datetime(2024, 10, 1, 8, 0, tzinfo=UTC)
    assert "<b>summary</b>" in first.summary_html
    assert "script" not in first.summary_html
    assert "<em>text</em>" in first.content_html
    assert "onerror" not in first.content_html
    assert "https://blog.example.com/img/a.png" in first.content_html


def test_entries_without_guid_or_date_are_kept_with_resolved_links() -> None:
    entry = parse_feed(RSS20, url=FEED_URL, content_type=None).entries[1]
    assert entry.guid is None
    assert entry.published is None and entry.updated is None
    assert entry.link == "https://blog.example.com/posts/relative?utm_source=rss#top"
    assert entry_key(entry) == "https://blog.example.com/posts/relative"


def test_rss10() -> None:
    feed = parse_feed(RSS10, url="https://old.example.org/index.rdf", content_type=None)
    assert feed.format == "rss10"
    assert feed.title == "Old school"
    (entry,) = feed.entries
    assert entry.link == "https://old.example.org/one"
    assert entry.title == "First"
    # dc:date is the only date: feedparser files it as "updated".
    assert (entry.published or entry.updated) == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_rss091_without_guids() -> None:
    doc = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Ninety-one</title>
    <link>http://n.example.com/</link><description>d</description>
    <item><title>Item</title><link>http://n.example.com/item</link></item></channel></rss>"""
    feed = parse_feed(doc, url="http://n.example.com/rss", content_type="text/xml")
    assert feed.format.startswith("rss09")
    assert feed.entries[0].link == "http://n.example.com/item"


def test_atom_with_xml_base_and_typed_text() -> None:
    feed = parse_feed(ATOM, url="https://atom.example.net/feed.atom", content_type=None)
    assert feed.format == "atom10"
    assert feed.title == "Bo <3 Atom"
    assert feed.site_url == "https://atom.example.net/"
    (entry,) = feed.entries
    assert entry.title == "Typed titles"
    assert entry.link == "https://atom.example.net/blog/entries/typed"
    assert entry.guid == "tag:atom.example.net,2024:typed"
    assert entry.published == datetime(2024, 3, 1, 15, 0, tzinfo=UTC)
    assert entry.updated == datetime(2024, 3, 2, tzinfo=UTC)
    assert entry.summary_html == "<p>A plain summary &lt; with a less-than</p>"
    assert 'href="https://atom.example.net/about"' in entry.content_html


def test_html_in_rss_titles_becomes_plain_text() -> None:
    doc = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item>
    <title>&lt;b&gt;Bold&lt;/b&gt; &amp;amp; &lt;script&gt;alert(1)&lt;/script&gt;brave</title>
    <link>https://e.example/1</link></item>
    <item><title>Why a&lt;b matters</title><link>https://e.example/2</link></item>
    </channel></rss>"""
    one, two = parse_feed(doc, url="https://e.example/feed", content_type=None).entries
    assert one.title == "Bold & brave"
    assert two.title == "Why a<b matters"


def test_iso_8859_1_feed_decodes() -> None:
    doc = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        "<title>Caf\xe9 des r\xeaves</title><item><title>Cr\xe8me br\xfbl\xe9e</title>"
        "<link>https://fr.example/creme</link></item></channel></rss>"
    ).encode("iso-8859-1")
    for content_type in (None, "application/rss+xml", "text/xml"):
        feed = parse_feed(doc, url="https://fr.example/feed", content_type=content_type)
        assert feed.title == "Café des rêves"
        assert feed.entries[0].title == "Crème brûlée"


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON blog",
    "home_page_url": "https://json.example.com/",
    "feed_url": "https://json.example.com/feed.json",
    "items": [
        {
            "id": "1",
            "url": "https://json.example.com/one",
            "title": "First &amp; <i>best</i>",
            "content_html": "<p>Hello <script>x()</script>world</p>",
            "summary": "Plain <summary>",
            "date_published": "2024-02-03T04:05:06+01:00",
        },
        {"id": 2, "url": "/two", "content_text": "Para one.\n\nPara <two>."},
        {"content_text": "no id, no url, no title"},
        "not an object",
        {},
    ],
}


def test_json_feed() -> None:
    content = json.dumps(JSON_FEED).encode()
    feed = parse_feed(content, url="https://json.example.com/feed.json", content_type=None)
    assert feed.format == "json11"
    assert feed.title == "JSON blog"
    assert feed.site_url == "https://json.example.com/"
    one, two, three = feed.entries
    assert one.guid == "1"
    assert one.title == "First & best"
    assert one.content_html == "<p>Hello world</p>"
    assert one.summary_html == "<p>Plain &lt;summary&gt;</p>"
    assert one.published == datetime(2024, 2, 3, 3, 5, 6, tzinfo=UTC)
    assert two.guid == "2"
    assert two.link == "https://json.example.com/two"
    assert two.content_html == "<p>Para one.</p><p>Para &lt;two&gt;.</p>"
    assert three.guid is None and three.link == "" and three.published is None
    assert entry_key(three).startswith("content:")


def test_json_feed_10_and_content_type_detection() -> None:
    doc = json.dumps({"version": "https://jsonfeed.org/version/1", "title": "x", "items": []})
    feed = parse_feed(b"  " + doc.encode(), url="https://j.example/f", content_type="text/plain")
    assert feed.format == "json1"
    assert feed.entries == []


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"", None, "not a feed: the response is empty"),
        (
            b"<!DOCTYPE html>\n<html><head><title>Blog</title></head><body>hi</body></html>",
            "text/html",
            "not a feed: this is a web page; look for its feed address",
        ),
        (b"just some text", "text/plain", "invalid XML at line 1: syntax error"),
        (b'<?xml version="1.0"?><catalog><book/></catalog>', None, "not a feed"),
        (b'{"hello": "world"}', "application/json", "not a feed: JSON without a JSON Feed version"),
        (
            b'{\n  "version": \n}',
            "application/feed+json",
            "invalid JSON at line 3: Expecting value",
        ),
    ],
)
def test_unreadable_documents_have_clear_messages(
    content: bytes, content_type: str | None, message: str
) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(content, url="https://x.example/feed", content_type=content_type)
    assert str(caught.value) == message


def test_malformed_xml_reports_the_line() -> None:
    doc = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>T</title>\n<<<<'
    with pytest.raises(FeedParseError) as caught:
        parse_feed(doc, url="https://x.example/feed", content_type=None)
    assert str(caught.value).startswith("invalid XML at line 4: ")


def test_salvageable_xml_is_read_with_a_warning() -> None:
    # An unescaped "&" is the most common breakage; the entries are still worth having.
    doc = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Tom & Jerry</title>
<item><title>a</title><link>https://tj.example/a</link></item></channel></rss>"""
    feed = parse_feed(doc, url="https://tj.example/feed", content_type=None)
    assert feed.entries[0].link == "https://tj.example/a"
    assert feed.warning is not None and feed.warning.startswith("invalid XML at line 2: ")


def test_bytes_are_never_taken_for_a_filename() -> None:
    with pytest.raises(FeedParseError):
        parse_feed(b"/etc/hostname", url="https://x.example/feed", content_type=None)


def test_discover_feeds() -> None:
    html = b"""<!doctype html><html><head>
    <base href="https://www.example.com/blog/">
    <link rel="stylesheet" href="/style.css">
    <link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="/atom.xml">
    <link rel="alternate" type="application/feed+json" href="https://cdn.example.com/f.json">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" href="feed.xml">
    </head><body></body></html>"""
    assert discover_feeds(html, "https://www.example.com/blog/post") == [
        "https://www.example.com/blog/feed.xml",
        "https://www.example.com/atom.xml",
        "https://cdn.example.com/f.json",
    ]
    assert discover_feeds(b"<html><head></head></html>", "https://x.example/") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Blog.Example.COM/Post/", "https://blog.example.com/Post"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        ("https://example.com/a#section", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=rss&id=3&utm_medium=feed&fbclid=x&b=",
            "https://example.com/a?id=3&b=",
        ),
        ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
        ("https://example.com/search?q=a%20b&page=2", "https://example.com/search?q=a%20b&page=2"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("tag:example.com,2024:post-1", "tag:example.com,2024:post-1"),
        ("https://example.com:99999/", "https://example.com:99999/"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def entry(**kw: object) -> FeedEntry:
    fields: dict[str, object] = {
        "guid": None,
        "link": "",
        "title": "",
        "summary_html": "",
        "content_html": "",
        "published": None,
        "updated": None,
    }
    fields.update(kw)
    return FeedEntry(**fields)  # type: ignore[arg-type]


def test_entry_key_prefers_guid_then_normalised_link() -> None:
    assert entry_key(entry(guid="post-42", link="https://a.example/x")) == "post-42"
    a = entry(link="https://A.example/x/?utm_source=mastodon#c")
    b = entry(link="https://a.example/x")
    assert entry_key(a) == entry_key(b) == "https://a.example/x"
    long_guid = entry(guid="g" * 2000)
    assert entry_key(long_guid).startswith("sha256:") and len(entry_key(long_guid)) < 100
