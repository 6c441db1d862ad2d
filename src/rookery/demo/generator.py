"""Generating a believable demo network: people, follows, posts, reactions and timelines.

The network is planned in memory first (people as indexes, times, texts, who reacts to what),
then written with ``bulk_create`` in a few large batches inside one transaction. Writing row by
row through the services would be the "most correct" path but takes minutes for a few hundred
people; instead every derived value the services maintain (counters, notifications, home
timeline entries, rendered HTML, hashtag and mention links) is computed here by the same rules,
and ``tests/demo`` checks the result against the rows.

Shape of the network:

* popularity follows a Zipf law, and people follow by preferential attachment (half of each
  person's follows from everyone, weighted by popularity, half from people sharing a topic),
  with some follow-backs;
* popular people post more, and get more replies, likes and reposts, mostly from followers;
* posts spread over the last three weeks in working hours, ids growing with time as the
  timelines' id-ordered pages assume;
* about one post in eight is a question; questions get answers and many get one accepted.
"""

from __future__ import annotations

import math
import random
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from tqdm import tqdm

from rookery.accounts.models import User
from rookery.demo import text as words
from rookery.notifications.models import Notification, NotificationKind
from rookery.posts.models import Hashtag, Like, LinkCard, Post, Visibility
from rookery.posts.rendering import render_post
from rookery.social.models import Follow
from rookery.timelines.models import TimelineEntry
from rookery.timelines.services import home_cache_key, is_merged_at_read
from rookery.traction.links import links_attach
from rookery.traction.models import ShortLink

# Generated accounts are recognised by this reserved (RFC 2606) e-mail domain, so --reset can
# remove exactly them and leave any account a person made by hand alone.
DEMO_EMAIL_DOMAIN = "rookery-demo.example"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
ADMIN_USERNAME = "admin"

HISTORY_DAYS = 21
BATCH = 2000


class DemoError(Exception):
    """The demo can't run on this database; the message says why and what to do."""


@dataclass(frozen=True)
class DemoSummary:
    users: int
    follows: int
    posts: int
    questions: int
    replies: int
    reposts: int
    likes: int
    notifications: int
    timeline_entries: int
    seconds: float


# --- Planning ---------------------------------------------------------------------------------


@dataclass
class _Person:
    username: str
    display_name: str
    headline: str
    bio: str
    topics: list[str]
    weight: float  # popularity; also drives how much they post
    joined: datetime
    followers: list[int] = field(default_factory=list)
    following: list[int] = field(default_factory=list)
    posts_count: int = 0


@dataclass
class _Post:
    author: int
    created_at: datetime
    text: str = ""
    visibility: str = Visibility.PUBLIC
    parent: _Post | None = None
    root: _Post | None = None
    reblog_of: _Post | None = None
    is_question: bool = False
    accepted: _Post | None = None
    accepted_at: datetime | None = None
    tags: tuple[str, ...] = ()
    id: int = 0
    replies_count: int = 0
    reblogs_count: int = 0
    likes_count: int = 0
    reposted_by: set[int] = field(default_factory=set)
    liked_by: set[int] = field(default_factory=set)


@dataclass
class _Plan:
    people: list[_Person]
    follows: list[tuple[int, int, datetime]]
    posts: list[_Post]
    likes: list[tuple[int, _Post, datetime]]
    links: dict[str, words.LinkTemplate]  # url -> where it came from
    link_subjects: dict[str, str]


class _Planner:
    def __init__(self, users: int, seed: int, now: datetime, taken: set[str]) -> None:
        self.rng = random.Random(seed)
        self.n = users
        self.now = now
        self.start = now - timedelta(days=HISTORY_DAYS)
        self.taken = taken
        self.plan = _Plan(people=[], follows=[], posts=[], likes=[], links={}, link_subjects={})

    # People

    def people(self) -> None:
        rng = self.rng
        ranks = list(range(1, self.n + 1))
        rng.shuffle(ranks)
        # The demo account sits near the top tenth: popular enough to have followers and
        # replies to show, not so popular that its home is only its own fans.
        demo_rank = max(2, self.n // 10)
        ranks[ranks.index(demo_rank)] = ranks[0]
        ranks[0] = demo_rank
        topic_weights = [1.0 / (i + 1) ** 0.6 for i in range(len(words.TOPICS))]
        for index in range(self.n):
            if index == 0:
                person = self._demo_person(ranks[0])
            else:
                person = self._random_person(ranks[index], topic_weights)
            self.plan.people.append(person)

    def _demo_person(self, rank: int) -> _Person:
        return _Person(
            username=DEMO_USERNAME,
            display_name="Demo User",
            headline="Staff Engineer at Fernhill Labs",
            bio=(
                "The demo account of this Rookery instance. Writing about #python, #django and "
                "#postgres; ask me about #performance."
            ),
            topics=["python", "django", "postgres", "performance"],
            weight=1.0 / rank**0.9,
            joined=self.now - timedelta(days=200),
        )

    def _random_person(self, rank: int, topic_weights: list[float]) -> _Person:
        rng = self.rng
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        topics: list[str] = []
        while len(topics) < rng.randint(2, 4):
            topic = rng.choices(words.TOPICS, topic_weights)[0]
            if topic not in topics:
                topics.append(topic)
        company = rng.choice(words.COMPANIES)
        opener = rng.choice(words.BIO_OPENERS).format(
            thing=rng.choice(words.BIO_THINGS),
            company=company,
            past_role=rng.choice(words.ROLES).lower(),
            past_company=rng.choice(words.COMPANIES),
            topic=f"#{topics[0]}",
            topic2=f"#{topics[1]}",
        )
        closer = rng.choice(words.BIO_CLOSERS).format(
            topic=f"#{rng.choice(topics)}", city=rng.choice(words.CITIES)
        )
        return _Person(
            username=self._username(first, last),
            display_name=f"{first} {last}",
            headline=f"{rng.choice(words.ROLES)} at {company}",
            bio=f"{opener} {closer}".strip(),
            topics=topics,
            weight=1.0 / rank**0.9,
            joined=self.now - timedelta(days=rng.uniform(HISTORY_DAYS + 1, 700)),
        )

    def _username(self, first: str, last: str) -> str:
        base = _ascii(f"{first}_{last}").lower()[:26]
        name, suffix = base, 1
        while name in self.taken:
            suffix += 1
            name = f"{base}{suffix}"
        self.taken.add(name)
        return name

    # Follows

    def follows(self) -> None:
        rng, people = self.rng, self.plan.people
        everyone = list(range(self.n))
        cum_all = list(accumulate(p.weight for p in people))
        by_topic: dict[str, list[int]] = defaultdict(list)
        for index, person in enumerate(people):
            for topic in person.topics:
                by_topic[topic].append(index)
        cum_topic = {
            topic: list(accumulate(people[i].weight for i in members))
            for topic, members in by_topic.items()
        }
        mean = min(20.0, max(3.0, self.n * 0.1))
        edges: set[tuple[int, int]] = set()
        for follower, person in enumerate(people):
            wanted = 40 if follower == 0 else int(rng.lognormvariate(math.log(mean), 0.7))
            wanted = max(1, min(wanted, self.n - 1))
            chosen: set[int] = set()
            for _attempt in range(wanted * 4):
                if len(chosen) >= wanted:
                    break
                if rng.random() < 0.5:
                    topic = rng.choice(person.topics)
                    pick = rng.choices(by_topic[topic], cum_weights=cum_topic[topic])[0]
                else:
                    pick = rng.choices(everyone, cum_weights=cum_all)[0]
                if pick != follower:
                    chosen.add(pick)
            edges.update((follower, followee) for followee in chosen)
        # Some follow back: makes "follows you" and mutual circles exist.
        for follower, followee in list(edges):
            if (followee, follower) not in edges and rng.random() < 0.25:
                edges.add((followee, follower))
        for follower, followee in sorted(edges):
            joined = max(people[follower].joined, people[followee].joined)
            at = _between(rng, joined, self.now - timedelta(hours=1))
            self.plan.follows.append((follower, followee, at))
            people[follower].following.append(followee)
            people[followee].followers.append(follower)
        self.plan.follows.sort(key=lambda f: f[2])

    # Posts

    def posts(self, progress: bool) -> None:
        rng, people = self.rng, self.plan.people
        top = max(p.weight for p in people)
        originals: list[_Post] = []
        for author, person in enumerate(tqdm(people, desc="Planning posts", disable=not progress)):
            # Popular people post more; everyone posts at least now and then.
            expected = 3 + 14 * (person.weight / top) ** 0.5
            count = max(1, int(rng.gauss(expected, expected / 3)))
            if author == 0:
                count = max(count, 8)
            for k in range(count):
                question = rng.random() < 0.12 or (author == 0 and k < 2)
                originals.append(self._original(author, question))
        self.plan.posts.extend(originals)
        for post in originals:
            self._conversation(post)
            self._reposts(post)
        for post in list(self.plan.posts):
            if post.reblog_of is None:
                self._likes(post)
        self.plan.posts.sort(key=lambda p: p.created_at)
        self.plan.likes.sort(key=lambda like: like[2])

    def _original(self, author: int, question: bool) -> _Post:
        rng, person = self.rng, self.plan.people[author]
        tag = rng.choice(person.topics)
        tag2 = rng.choice([t for t in person.topics if t != tag] or words.TOPICS)
        subject = rng.choice(words.SUBJECTS[tag])
        templates = words.QUESTION_TEMPLATES if question else words.POST_TEMPLATES
        template = rng.choice(templates)
        if "{mention}" in template and not person.following:
            template = words.POST_TEMPLATES[0]
        mention = (
            self.plan.people[rng.choice(person.following)].username
            if "{mention}" in template
            else ""
        )
        link = self._link(subject) if "{link}" in template else ""
        text = template.format(tag=tag, tag2=tag2, subject=subject, mention=mention, link=link)
        roll = rng.random()
        visibility = (
            Visibility.PUBLIC
            if roll < 0.88 or question
            else Visibility.UNLISTED
            if roll < 0.96
            else Visibility.FOLLOWERS
        )
        return _Post(
            author=author,
            created_at=self._working_hours_time(),
            text=text,
            visibility=visibility,
            is_question=question,
        )

    def _link(self, subject: str) -> str:
        # A few articles are shared by many people (the catch-up folds them into one item),
        # most by one; reuse an existing URL about a third of the time.
        if self.plan.links and self.rng.random() < 0.35:
            return self.rng.choice(list(self.plan.links))
        site = self.rng.choice(words.LINK_TEMPLATES)
        slug = _slug(subject)
        url = f"https://{site.domain}{site.path.format(slug=slug)}"
        if url in self.plan.links:
            url = f"{url}-{len(self.plan.links)}"
        self.plan.links[url] = site
        self.plan.link_subjects[url] = subject
        return url

    def _working_hours_time(self) -> datetime:
        rng = self.rng
        day = self.start + timedelta(days=rng.randrange(HISTORY_DAYS))
        if day.weekday() >= 5 and rng.random() < 0.6:
            day += timedelta(days=2)  # quieter weekends
        hour = rng.choices(
            range(24), [1] * 7 + [4, 8, 10, 10, 8, 7, 9, 10, 9, 8, 6, 4, 3, 3, 2, 2, 1]
        )
        at = day.replace(hour=hour[0], minute=rng.randrange(60), second=rng.randrange(60))
        return min(at, self.now - timedelta(minutes=rng.randrange(5, 120)))

    def _after(self, moment: datetime, mean_hours: float) -> datetime | None:
        at = moment + timedelta(hours=self.rng.expovariate(1 / mean_hours), minutes=1)
        return at if at < self.now else None

    def _audience(self, post: _Post) -> list[int]:
        """People who'd plausibly react: mostly followers, public posts also reach others."""
        followers = self.plan.people[post.author].followers
        if post.visibility == Visibility.FOLLOWERS or self.rng.random() < 0.8:
            return followers
        return list(range(self.n))

    def _conversation(self, post: _Post) -> None:
        rng, people = self.rng, self.plan.people
        author = people[post.author]
        popularity = len(author.followers) / max(1, self.n)
        expected = (2.5 if post.is_question else 0.6) + 8 * popularity
        count = min(int(rng.expovariate(1 / expected)), 12)
        if post.is_question and post.author == 0:
            count = max(count, 3)
        audience = [i for i in self._audience(post) if i != post.author]
        if not audience:
            return
        answers: list[_Post] = []
        for _ in range(count):
            replier = rng.choice(audience)
            at = self._after(post.created_at, 6)
            if at is None:
                continue
            if post.is_question:
                body = rng.choice(words.ANSWER_TEMPLATES)
            else:
                body = rng.choice(words.REPLY_TEMPLATES)
            body = body.format(
                company=people[replier].headline.split(" at ")[-1],
                subject=rng.choice(words.SUBJECTS[rng.choice(author.topics)]),
            )
            reply = self._reply(post, replier, at, f"@{author.username} {body}")
            answers.append(reply)
            if rng.random() < 0.3:
                # The author thanks them: a two-level thread.
                back = self._after(at, 3)
                if back is not None:
                    thanks = rng.choice(["Thanks", "Good point", "Agreed", "Ha, exactly"])
                    self._reply(reply, post.author, back, f"@{people[replier].username} {thanks}!")
        if post.is_question and answers and rng.random() < 0.65:
            answer = rng.choice(answers)
            accepted_at = self._after(answer.created_at, 4)
            if accepted_at is not None:
                post.accepted, post.accepted_at = answer, accepted_at

    def _reply(self, parent: _Post, author: int, at: datetime, text: str) -> _Post:
        # Replies keep the visibility of what they answer, as Mastodon clients default to.
        reply = _Post(
            author=author,
            created_at=at,
            text=text,
            visibility=parent.visibility,
            parent=parent,
            root=parent.root or parent,
        )
        parent.replies_count += 1
        self.plan.posts.append(reply)
        return reply

    def _reposts(self, post: _Post) -> None:
        if post.visibility != Visibility.PUBLIC:
            return
        rng = self.rng
        popularity = len(self.plan.people[post.author].followers) / max(1, self.n)
        count = min(int(rng.expovariate(1 / (0.3 + 6 * popularity))), 10)
        audience = [i for i in self._audience(post) if i != post.author]
        for reposter in rng.sample(audience, min(count, len(audience))):
            at = self._after(post.created_at, 8)
            if at is None:
                continue
            repost = _Post(author=reposter, created_at=at, reblog_of=post)
            post.reposted_by.add(reposter)
            post.reblogs_count += 1
            self.plan.posts.append(repost)

    def _likes(self, post: _Post) -> None:
        rng = self.rng
        popularity = len(self.plan.people[post.author].followers) / max(1, self.n)
        base = 0.5 if post.parent is not None else 2.0
        count = int(rng.expovariate(1 / (base + 25 * popularity)))
        audience = [i for i in self._audience(post) if i != post.author]
        for liker in rng.sample(audience, min(count, len(audience))):
            at = self._after(post.created_at, 10)
            if at is not None:
                post.liked_by.add(liker)
                post.likes_count += 1
                self.plan.likes.append((liker, post, at))


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def _slug(value: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in _ascii(value).lower())
    return "-".join(part for part in kept.split("-") if part)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return end
    return start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


# --- Writing ----------------------------------------------------------------------------------


def _bulk(
    model: type[models.Model], rows: Sequence[models.Model], desc: str, progress: bool
) -> None:
    with tqdm(total=len(rows), desc=desc, unit="row", disable=not progress, leave=False) as bar:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            model.objects.bulk_create(chunk)
            bar.update(len(chunk))


def _insert(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    desc: str,
    progress: bool,
) -> None:
    """Insert plain value tuples with one prepared statement per batch.

    The link tables (follows, likes, notifications, timeline entries) are most of the rows
    and need no model logic; building a model instance per row made ``bulk_create`` spend
    most of a demo run in Python. Inserting tuples also keeps the planned ``created_at``,
    which ``auto_now_add`` would overwrite with "now".
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)  # type: ignore[union-attr]
    values = ", ".join(["%s"] * len(fields))
    # Names come from the model's metadata, never from input.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    dates = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
    adapt = connection.ops.adapt_datetimefield_value
    with (
        connection.cursor() as cursor,
        tqdm(total=len(rows), desc=desc, unit="row", disable=not progress, leave=False) as bar,
    ):
        for start in range(0, len(rows), BATCH * 5):
            chunk = rows[start : start + BATCH * 5]
            if dates:
                chunk = [
                    tuple(adapt(v) if i in dates else v for i, v in enumerate(row)) for row in chunk
                ]
            cursor.executemany(sql, chunk)
            bar.update(len(chunk))


def demo_accounts() -> models.QuerySet[User]:
    return User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


def demo_reset() -> int:
    """Delete what earlier demo runs generated; returns how many accounts went."""
    ids = list(demo_accounts().values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        # The big tables first, as single DELETEs: the ORM's cascade would otherwise load
        # every timeline row into memory to delete it.
        TimelineEntry.objects.filter(Q(owner_id__in=ids) | Q(author_id__in=ids)).delete()
        Notification.objects.filter(Q(recipient_id__in=ids) | Q(actor_id__in=ids)).delete()
        Like.objects.filter(user_id__in=ids).delete()
        Follow.objects.filter(Q(follower_id__in=ids) | Q(followee_id__in=ids)).delete()
        # Short links outlive deleted posts on purpose; generated ones shouldn't pile up.
        ShortLink.objects.filter(post__author_id__in=ids).delete()
        demo_accounts().delete()
        domains = {site.domain for site in words.LINK_TEMPLATES}
        LinkCard.objects.filter(domain__in=domains, posts__isnull=True).delete()
        Hashtag.objects.filter(
            name__in=words.TOPICS, posts__isnull=True, experts__isnull=True
        ).delete()
    cache.delete_many([home_cache_key(i) for i in ids])
    return len(ids)


def non_demo_accounts() -> models.QuerySet[User]:
    return User.objects.exclude(pk__in=demo_accounts().values("pk"))


def demo_generate(
    *,
    users: int,
    seed: int = 1,
    admin_password: str | None = None,
    progress: bool = True,
    now: datetime | None = None,
) -> DemoSummary:
    """Plan and write a network of ``users`` people (the first is the ``demo`` login)."""
    if users < 10:
        raise DemoError("A demo network needs at least 10 people (--users 10).")
    if demo_accounts().exists():
        raise DemoError("Demo data is already here; run with --reset to generate it afresh.")
    taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
    for reserved in (DEMO_USERNAME, ADMIN_USERNAME if admin_password else None):
        if reserved and reserved in taken:
            raise DemoError(f"An account named {reserved!r} already exists and isn't demo data.")
    started = time.monotonic()
    now = (now or timezone.now()).replace(microsecond=0)
    planner = _Planner(users, seed, now, taken | {DEMO_USERNAME, ADMIN_USERNAME})
    planner.people()
    planner.follows()
    planner.posts(progress)
    with transaction.atomic():
        summary = _write(planner.plan, now, admin_password, progress)
        _reset_sequences()
    return DemoSummary(**{**summary.__dict__, "seconds": time.monotonic() - started})


def _write(plan: _Plan, now: datetime, admin_password: str | None, progress: bool) -> DemoSummary:
    people = plan.people
    tags = _hashtags()
    posts_count = Counter(p.author for p in plan.posts if p.reblog_of is None)
    # Hashing is deliberately slow (hundreds of ms); generated people get an unusable
    # password and only the demo login is hashed.
    unusable = make_password(None)
    rows = [
        User(
            username=p.username,
            email=f"{p.username}@{DEMO_EMAIL_DOMAIN}",
            password=make_password(DEMO_PASSWORD) if i == 0 else unusable,
            display_name=p.display_name,
            first_name=p.display_name.split(" ")[0],
            last_name=p.display_name.split(" ")[-1],
            headline=p.headline,
            bio=p.bio,
            website=f"https://example.com/~{p.username}",
            date_joined=p.joined,
            last_login=now - timedelta(hours=2) if i == 0 else None,
            followers_count=len(p.followers),
            following_count=len(p.following),
            # Reposts don't count, as reblog_create doesn't count them.
            posts_count=posts_count[i],
        )
        for i, p in enumerate(people)
    ]
    _bulk(User, rows, "People", progress)
    uid = [u.pk for u in rows]
    if admin_password:
        User.objects.create_superuser(
            ADMIN_USERNAME, f"{ADMIN_USERNAME}@{DEMO_EMAIL_DOMAIN}", admin_password
        )
    topic_rows = [(uid[i], tags[t]) for i, p in enumerate(people) for t in p.topics]
    _insert(User.topics.through, ["user", "hashtag"], topic_rows, "Topics", progress)

    follow_rows = [(uid[a], uid[b], True, at) for a, b, at in plan.follows]
    _insert(
        Follow,
        ["follower", "followee", "show_reposts", "created_at"],
        follow_rows,
        "Follows",
        progress,
    )

    cards = _link_cards(plan, now)
    posts = _post_rows(plan, uid, tags, cards, progress)
    _bulk(Post, posts.rows, "Posts", progress)
    # Links go through short links (for click counts) exactly as post_create does it.
    for row in tqdm(posts.rows, desc="Short links", disable=not progress, leave=False):
        if row.first_url:
            links_attach(row)
    _insert(Post.hashtags.through, ["post", "hashtag"], posts.hashtag_links, "Tags", progress)
    _insert(Post.mentions.through, ["post", "user"], posts.mention_links, "Mentions", progress)

    like_rows = [(uid[u], p.id, at) for u, p, at in plan.likes]
    _insert(Like, ["user", "post", "created_at"], like_rows, "Likes", progress)

    notes = _notifications(plan, uid, posts.mentioned, now)
    _insert(
        Notification,
        ["recipient", "actor", "kind", "post", "message", "created_at", "read_at"],
        notes,
        "Notifications",
        progress,
    )

    entries = _timeline_entries(plan, uid, posts.mentioned)
    _insert(TimelineEntry, ["owner", "post", "author"], entries, "Home timelines", progress)
    cache.delete_many([home_cache_key(i) for i in uid])

    return DemoSummary(
        users=len(rows),
        follows=len(follow_rows),
        posts=sum(1 for p in plan.posts if p.reblog_of is None and p.parent is None),
        questions=sum(1 for p in plan.posts if p.is_question),
        replies=sum(1 for p in plan.posts if p.parent is not None),
        reposts=sum(1 for p in plan.posts if p.reblog_of is not None),
        likes=len(like_rows),
        notifications=len(notes),
        timeline_entries=len(entries),
        seconds=0.0,
    )


def _hashtags() -> dict[str, int]:
    Hashtag.objects.bulk_create(
        [Hashtag(name=name) for name in words.TOPICS], ignore_conflicts=True
    )
    return dict(Hashtag.objects.filter(name__in=words.TOPICS).values_list("name", "pk"))


def _link_cards(plan: _Plan, now: datetime) -> dict[str, int]:
    """Link previews as if already fetched: a demo must never fetch anything."""
    existing = dict(LinkCard.objects.filter(url__in=list(plan.links)).values_list("url", "pk"))
    cards = []
    for url, site in plan.links.items():
        if url in existing:
            continue
        subject = plan.link_subjects[url]
        cards.append(
            LinkCard(
                url=url,
                status=LinkCard.Status.OK,
                title=site.title.format(subject_title=subject[:1].upper() + subject[1:]),
                description=site.description.format(subject=subject),
                site_name=site.site_name,
                domain=site.domain,
                fetched_at=now,
            )
        )
    LinkCard.objects.bulk_create(cards, batch_size=BATCH)
    return existing | {card.url: card.pk for card in cards}


@dataclass
class _PostRows:
    rows: list[Post]
    hashtag_links: list[tuple[int, int]]
    mention_links: list[tuple[int, int]]
    mentioned: dict[int, list[int]]  # post id -> mentioned user ids


def _post_rows(
    plan: _Plan,
    uid: list[int],
    tags: dict[str, int],
    cards: dict[str, int],
    progress: bool,
) -> _PostRows:
    # Ids are assigned here, in time order, so replies and reposts can point at posts of the
    # same batch and timeline pages (ordered by id) read in time order.
    base = (Post.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    for offset, post in enumerate(plan.posts):
        post.id = base + offset
    by_username = {p.username.lower(): i for i, p in enumerate(plan.people)}
    profile_urls: dict[str, str | None] = {}
    tag_urls: dict[str, str] = {}

    def mention_url(name: str) -> str | None:
        key = name.lower()
        if key not in profile_urls:
            found = key in by_username
            profile_urls[key] = reverse("web:profile", args=[name]) if found else None
        return profile_urls[key]

    def hashtag_url(tag: str) -> str:
        if tag not in tag_urls:
            tag_urls[tag] = reverse("web:hashtag", args=[tag])
        return tag_urls[tag]

    result = _PostRows(rows=[], hashtag_links=[], mention_links=[], mentioned={})
    for post in tqdm(plan.posts, desc="Rendering posts", disable=not progress, leave=False):
        row = Post(
            id=post.id,
            author_id=uid[post.author],
            visibility=post.visibility,
            created_at=post.created_at,
            replies_count=post.replies_count,
            reblogs_count=post.reblogs_count,
            likes_count=post.likes_count,
            is_question=post.is_question,
        )
        if post.reblog_of is not None:
            row.reblog_of_id = post.reblog_of.id
            result.rows.append(row)
            continue
        rendered = render_post(post.text, mention_url=mention_url, hashtag_url=hashtag_url)
        row.text, row.html = post.text, rendered.html
        if post.parent is not None:
            row.in_reply_to_id = post.parent.id
            row.in_reply_to_author_id = uid[post.parent.author]
            row.thread_root_id = post.root.id if post.root else post.parent.id
        if post.accepted is not None:
            row.accepted_answer_id = post.accepted.id
        if rendered.urls:
            row.first_url = rendered.urls[0][:2000]
            row.link_card_id = cards.get(row.first_url)
        for name in rendered.hashtags:
            if name not in tags:
                tags[name] = Hashtag.objects.get_or_create(name=name[:100])[0].pk
            result.hashtag_links.append((post.id, tags[name]))
        mentioned = sorted(
            {uid[by_username[m.lower()]] for m in rendered.mentions} - {uid[post.author]}
        )
        result.mentioned[post.id] = mentioned
        result.mention_links.extend((post.id, m) for m in mentioned)
        result.rows.append(row)
    return result


def _notifications(
    plan: _Plan, uid: list[int], mentioned: dict[int, list[int]], now: datetime
) -> list[tuple[object, ...]]:
    """The notifications the services would have sent, oldest first (ids follow time)."""
    notes: list[tuple[datetime, int, int, str, int | None]] = []
    for follower, followee, at in plan.follows:
        notes.append((at, uid[followee], uid[follower], NotificationKind.FOLLOW, None))
    for liker, post, at in plan.likes:
        notes.append((at, uid[post.author], uid[liker], NotificationKind.FAVOURITE, post.id))
    for post in plan.posts:
        actor = uid[post.author]
        if post.reblog_of is not None:
            original = post.reblog_of
            notes.append(
                (post.created_at, uid[original.author], actor, NotificationKind.REBLOG, original.id)
            )
            continue
        told: set[int] = {actor}
        if post.parent is not None and uid[post.parent.author] not in told:
            recipient = uid[post.parent.author]
            notes.append((post.created_at, recipient, actor, NotificationKind.REPLY, post.id))
            told.add(recipient)
        for recipient in mentioned.get(post.id, []):
            if recipient not in told:
                notes.append((post.created_at, recipient, actor, NotificationKind.MENTION, post.id))
        if post.accepted is not None and post.accepted.author != post.author:
            answer = post.accepted
            notes.append(
                (
                    post.accepted_at or post.created_at,
                    uid[answer.author],
                    actor,
                    NotificationKind.ACCEPTED_ANSWER,
                    answer.id,
                )
            )
    notes.sort(key=lambda n: n[0])
    # Older notifications have been seen; the last two days' are still unread.
    read_before = now - timedelta(days=2)
    return [
        (
            recipient,
            actor,
            str(kind),
            post_id,
            "",
            at,
            at + timedelta(hours=3) if at < read_before else None,
        )
        for at, recipient, actor, kind, post_id in notes
    ]


def _timeline_entries(
    plan: _Plan, uid: list[int], mentioned: dict[int, list[int]]
) -> list[tuple[int, int, int]]:
    """Home timelines as fan-out on write leaves them (timelines.services.fanout_run)."""
    people = plan.people
    has_copy: dict[int, set[int]] = defaultdict(set)  # original post id -> owners with a copy
    entries: list[tuple[int, int, int]] = []
    for post in plan.posts:  # in id order
        author = uid[post.author]
        owners = [author]
        if post.visibility != Visibility.MENTIONED and not is_merged_at_read(
            len(people[post.author].followers)
        ):
            owners += [uid[f] for f in people[post.author].followers]
        if post.reblog_of is not None:
            # Like the service, a repost isn't delivered to someone who already has the
            # original or another repost of it.
            seen = has_copy[post.reblog_of.id]
            owners = [o for o in owners if o == author or o not in seen]
            seen.update(owners)
        else:
            owners += mentioned.get(post.id, [])
            has_copy[post.id].update(owners)
        for owner in dict.fromkeys(owners):
            entries.append((owner, post.id, author))
    return entries


def _reset_sequences() -> None:
    # Post ids were given explicitly; PostgreSQL's sequence must move past them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Post]):
            cursor.execute(sql)


def summary_lines(summary: DemoSummary) -> list[str]:
    return [
        f"{summary.users} people, {summary.follows} follows",
        f"{summary.posts} posts ({summary.questions} questions), {summary.replies} replies, "
        f"{summary.reposts} reposts, {summary.likes} likes",
        f"{summary.notifications} notifications, {summary.timeline_entries} home timeline entries",
        f"in {summary.seconds:.1f} s (fan-out threshold {settings.FANOUT_THRESHOLD} followers)",
    ]
