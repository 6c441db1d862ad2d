"""Search of people, hashtags and posts; posts only ever through the viewer's permissions.

Full text of posts is FTS5 on SQLite and a GIN-indexed tsvector on PostgreSQL (the objects are
created by this app's migration, see ``schema.py``); both are hidden behind ``search``, so
callers never know which database they run on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from rookery.accounts.models import User
from rookery.posts.models import Hashtag, Post
from rookery.posts.selectors import visible_posts, with_display_relations
from rookery.social.selectors import blocked_user_ids, muted_user_ids

Kind = Literal["accounts", "hashtags", "posts"]
KINDS: tuple[Kind, ...] = ("accounts", "hashtags", "posts")
MAX_LIMIT = 40
# Longer input is cut: nobody types more, and it bounds the work one request can ask for.
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class SearchResults:
    accounts: list[User] = field(default_factory=list)
    hashtags: list[Hashtag] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)


def search(
    query: str,
    viewer: User | None,
    *,
    kind: Kind | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Search everything (or only ``kind``); a blank query finds nothing.

    Any text is accepted: FTS syntax a person types is quoted, never interpreted by SQLite.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    # NUL can't be sent to PostgreSQL at all (psycopg raises), and means nothing to a person.
    query = " ".join(query.replace("\x00", " ").split())[:MAX_QUERY_CHARS]
    if not query:
        return SearchResults()
    if viewer is not None and not viewer.is_authenticated:
        viewer = None
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    window = slice(offset, offset + limit)
    return SearchResults(
        accounts=_accounts(query, viewer, window) if kind in (None, "accounts") else [],
        hashtags=_hashtags(query, window) if kind in (None, "hashtags") else [],
        posts=_posts(query, viewer, window) if kind in (None, "posts") else [],
    )


# --- People ----------------------------------------------------------------------------------


def _accounts(query: str, viewer: User | None, window: slice) -> list[User]:
    """Prefix of username, words of display name, headline or topics; exact username first."""
    whole = query.lstrip("@")
    # "ana@rookery.example" is how people copy an address; the local part is the username.
    whole = whole.split("@", 1)[0] if "@" in whole else whole
    terms = [t.lstrip("@#") for t in query.split()]
    terms = [t.split("@", 1)[0] if "@" in t else t for t in terms]
    terms = [t for t in terms if t]
    if not terms or not whole:
        return []
    people = User.objects.active()
    for term in terms:
        topic = User.topics.through.objects.filter(
            user_id=OuterRef("pk"), hashtag__name__startswith=term.lower()
        )
        people = people.filter(
            Q(username__istartswith=term)
            | Q(display_name__icontains=term)
            | Q(headline__icontains=term)
            | Q(Exists(topic))
        )
    if viewer is not None:
        hidden = blocked_user_ids(viewer.pk)
        if hidden:
            people = people.exclude(pk__in=hidden)
    rank = Case(
        When(username__iexact=whole, then=Value(0)),
        When(username__istartswith=whole, then=Value(1)),
        When(display_name__istartswith=whole, then=Value(2)),
        When(display_name__icontains=whole, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    people = people.annotate(_rank=rank).order_by("_rank", "-followers_count", "id")
    return list(people[window])


# --- Hashtags --------------------------------------------------------------------------------


def _hashtags(query: str, window: slice) -> list[Hashtag]:
    name = query.lstrip("#").lower()
    # Tags are single words; a query with spaces or punctuation can't be a tag's prefix.
    if not name or not re.fullmatch(r"\w+", name):
        return []
    exact_first = Case(
        When(name=name, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    tags = (
        Hashtag.objects.filter(name__startswith=name)
        .annotate(_exact=exact_first)
        .order_by("_exact", "name")
    )
    return list(tags[window])


# --- Posts -----------------------------------------------------------------------------------


def _posts(query: str, viewer: User | None, window: slice) -> list[Post]:
    """Matching posts the viewer may read, newest first, reposts left out.

    Newest first rather than by text relevance: the permission filter has to run on the full
    match set, and recency is what people expect of a timeline search (Mastodon does the same).
    """
    posts = visible_posts(viewer).filter(reblog_of__isnull=True)
    matched = _full_text_filter(posts, query)
    if matched is None:
        return []
    if viewer is not None:
        hidden = muted_user_ids(viewer.pk)
        if hidden:
            matched = matched.exclude(author_id__in=hidden)
    return list(with_display_relations(matched).order_by("-id")[window])


def _full_text_filter(posts: QuerySet[Post], query: str) -> QuerySet[Post] | None:
    if connection.vendor == "postgresql":
        return posts.annotate(_document=_PostDocument()).filter(
            _document=SearchQuery(query, search_type="websearch", config="simple")
        )
    if connection.vendor == "sqlite":
        match = fts5_query(query)
        if match is None:
            return None
        # The typed text only ever travels as a parameter, already quoted by fts5_query.
        fts = RawSQL("SELECT rowid FROM search_post_fts WHERE search_post_fts MATCH %s", [match])
        return posts.filter(pk__in=fts)
    # No full-text support on other databases; a plain substring match is still correct.
    return posts.filter(text__icontains=query)


class _PostDocument(Func):
    """The exact expression of the GIN index in ``schema.PG_CREATE``, so the index is used."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("text"), F("content_warning"))


_PHRASE_OR_WORD = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fts5_query(query: str) -> str | None:
    """Translate what a person typed into a safe FTS5 query, web-search style.

    Words and "quoted phrases" must all match; ``-word`` excludes; ``or`` between two terms
    means either. Every term is emitted as a quoted FTS5 string, so operators, column filters,
    parentheses and stray quotes in the input are only ever text. Returns None when nothing
    searchable is left (FTS5 can't express a query with only exclusions).
    """
    include: list[str] = []  # groups of alternatives, ANDed together
    exclude: list[str] = []
    pending_or = False
    for match in _PHRASE_OR_WORD.finditer(query):
        negated = bool(match.group(1))
        phrase = match.group(2)
        word = match.group(3)
        if word is not None:
            if word.lower() == "or" and include:
                pending_or = True
                continue
            negated = word.startswith("-") and len(word) > 1
            text = word[1:] if negated else word
        else:
            text = phrase or ""
        if not re.search(r"\w", text):
            continue  # only punctuation: FTS5 tokenises it to nothing
        term = '"' + text.replace('"', '""') + '"'
        if negated:
            exclude.append(term)
        elif pending_or:
            include[-1] = f"{include[-1]} OR {term}"
        else:
            include.append(term)
        pending_or = False
    if not include:
        return None
    groups = [f"({group})" if " OR " in group else group for group in include]
    expression = " AND ".join(groups)
    for term in exclude:
        expression = f"({expression}) NOT {term}"
    return expression
