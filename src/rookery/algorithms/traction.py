"""Traction analytics maths: bucketing, attribution, groupings, findings and chart geometry.

Pure (no Django): callers hand in plain numbers, datetimes and small dataclasses, so every rule
here is unit- and property-tested alone (tests/algorithms/test_traction.py) and the roll-up in
the database can be checked against ``rollup_counts`` on random event streams.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

HOUR = timedelta(hours=1)
FOLLOW_WINDOW = timedelta(hours=48)
CHART_HOURS = 48
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Findings rules (docs/traction.md): a comparison is stated only when both groups have at least
# MIN_GROUP posts, the baseline is non-zero, the ratio is at least MIN_RATIO (or at most its
# inverse), and it stays beyond STABLE_RATIO when the best post of the winning group is left out,
# so one viral post can't make a "finding".
MIN_GROUP = 10
MIN_RATIO = 1.25
STABLE_RATIO = 1.1
# A weekday/hour slot needs this many posts before it can be a "best time to post".
MIN_SLOT_POSTS = 3


# --- Bucketing ---------------------------------------------------------------------------------


def hour_bucket(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def day_bucket(moment: datetime) -> date:
    return moment.date()


@dataclass(frozen=True, slots=True)
class RawEvent:
    kind: int
    owner_id: int
    post_id: int  # 0 for events about a profile rather than a post
    link_id: int
    moment: datetime


def rollup_counts(
    events: Iterable[RawEvent],
) -> tuple[
    Counter[tuple[int, int, datetime]],
    Counter[tuple[int, int, date]],
    Counter[tuple[int, int, date]],
]:
    """Brute-force roll-up: (post, kind, hour), (post, kind, day) and (owner, kind, day) counts."""
    hourly: Counter[tuple[int, int, datetime]] = Counter()
    daily: Counter[tuple[int, int, date]] = Counter()
    owner_daily: Counter[tuple[int, int, date]] = Counter()
    for event in events:
        if event.post_id:
            hourly[(event.post_id, event.kind, hour_bucket(event.moment))] += 1
            daily[(event.post_id, event.kind, day_bucket(event.moment))] += 1
        owner_daily[(event.owner_id, event.kind, day_bucket(event.moment))] += 1
    return hourly, daily, owner_daily


def hours_since(
    start: datetime, moments: Iterable[datetime], hours: int = CHART_HOURS
) -> list[int]:
    """Counts per whole hour after ``start`` for the first ``hours`` hours (a chart series)."""
    series = [0] * hours
    for moment in moments:
        index = int((moment - start) // HOUR)
        if 0 <= index < hours:
            series[index] += 1
    return series


def hour_series_from_buckets(
    start: datetime, buckets: Iterable[tuple[datetime, int]], hours: int = CHART_HOURS
) -> list[int]:
    """Like ``hours_since`` for pre-counted hourly buckets (the roll-up's rows).

    A bucket covers [hour, hour+1h); it is placed at the hour of the post's life it starts in,
    so the first bar holds the part of the post's first clock hour after it was published.
    """
    series = [0] * hours
    origin = hour_bucket(start)
    for bucket, count in buckets:
        index = int((bucket - origin) // HOUR)
        if 0 <= index < hours:
            series[index] += count
    return series


def attribute_follows(
    post_times: Sequence[tuple[int, datetime]],
    follow_times: Iterable[datetime],
    window: timedelta = FOLLOW_WINDOW,
) -> dict[int, int]:
    """Credit each new follower to the author's latest post published within ``window`` before it.

    ``post_times`` are (post id, published) pairs of one author; follows with no post in the
    window are credited to nobody.
    """
    ordered = sorted(post_times, key=lambda item: item[1])
    starts = [moment for _, moment in ordered]
    gained: dict[int, int] = defaultdict(int)
    for followed_at in follow_times:
        index = bisect.bisect_right(starts, followed_at) - 1
        if index >= 0 and followed_at - starts[index] <= window:
            gained[ordered[index][0]] += 1
    return dict(gained)


# --- Classification ----------------------------------------------------------------------------

KIND_LABELS = {
    "promotion": "Blog promotions",
    "reply": "Replies",
    "question": "Questions",
    "link": "Other links",
    "text": "Text posts",
}


def content_kind(*, is_promotion: bool, is_reply: bool, is_question: bool, has_link: bool) -> str:
    """The content kind a post is reported under; the first matching rule wins."""
    if is_promotion:
        return "promotion"
    if is_reply:
        return "reply"
    if is_question:
        return "question"
    if has_link:
        return "link"
    return "text"


LENGTH_BUCKETS = (
    (0, 100, "Short (under 100)"),
    (100, 280, "Medium (100\u2013279)"),
    (280, None, "Long (280+)"),
)


def length_bucket(length: int) -> str:
    for low, high, label in LENGTH_BUCKETS:
        if length >= low and (high is None or length < high):
            return label
    return LENGTH_BUCKETS[-1][2]


# --- Per-post statistics and groupings ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostStats:
    post_id: int
    kind: str
    hashtags: tuple[str, ...]
    length: int
    weekday: int  # 0 = Monday, in the author's time zone
    hour: int
    impressions: int
    clicks: int
    likes: int
    reposts: int
    replies: int
    quotes: int = 0
    followers: int = 0

    @property
    def engagements(self) -> int:
        return self.clicks + self.likes + self.reposts + self.replies

    @property
    def engagement_rate(self) -> float | None:
        return self.engagements / self.impressions if self.impressions else None


def rate(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class GroupSummary:
    label: str
    posts: int
    impressions: int
    clicks: int
    engagements: int

    @property
    def engagement_rate(self) -> float | None:
        return rate(self.engagements, self.impressions)

    @property
    def click_rate(self) -> float | None:
        return rate(self.clicks, self.impressions)


def summarise(label: str, stats: Sequence[PostStats]) -> GroupSummary:
    return GroupSummary(
        label=label,
        posts=len(stats),
        impressions=sum(s.impressions for s in stats),
        clicks=sum(s.clicks for s in stats),
        engagements=sum(s.engagements for s in stats),
    )


def group_by_kind(stats: Sequence[PostStats]) -> list[GroupSummary]:
    groups: dict[str, list[PostStats]] = defaultdict(list)
    for s in stats:
        groups[s.kind].append(s)
    return [summarise(KIND_LABELS[k], groups[k]) for k in KIND_LABELS if groups.get(k)]


def group_by_hashtag(stats: Sequence[PostStats], limit: int = 10) -> list[GroupSummary]:
    groups: dict[str, list[PostStats]] = defaultdict(list)
    for s in stats:
        for tag in s.hashtags:
            groups[tag].append(s)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    return [summarise(f"#{tag}", posts) for tag, posts in ranked]


def group_by_length(stats: Sequence[PostStats]) -> list[GroupSummary]:
    groups: dict[str, list[PostStats]] = defaultdict(list)
    for s in stats:
        groups[length_bucket(s.length)].append(s)
    return [summarise(label, groups[label]) for *_, label in LENGTH_BUCKETS if groups.get(label)]


def heat_matrix(stats: Sequence[PostStats]) -> tuple[list[list[float | None]], list[list[int]]]:
    """Engagement rate per (weekday, hour) and the number of posts behind each cell."""
    engaged = [[0] * 24 for _ in range(7)]
    shown = [[0] * 24 for _ in range(7)]
    posts = [[0] * 24 for _ in range(7)]
    for s in stats:
        engaged[s.weekday][s.hour] += s.engagements
        shown[s.weekday][s.hour] += s.impressions
        posts[s.weekday][s.hour] += 1
    rates = [[rate(engaged[d][h], shown[d][h]) for h in range(24)] for d in range(7)]
    return rates, posts


def best_slots(stats: Sequence[PostStats], count: int = 3) -> list[tuple[int, int]]:
    """The ``count`` (weekday, hour) slots with the highest engagement rate and enough posts."""
    rates, posts = heat_matrix(stats)
    ranked = [
        (value, -posts[d][h], d, h)
        for d in range(7)
        for h in range(24)
        if posts[d][h] >= MIN_SLOT_POSTS and (value := rates[d][h]) is not None
    ]
    ranked.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
    return [(d, h) for _, _, d, h in ranked[:count]]


def top_posts(stats: Sequence[PostStats], count: int = 5) -> list[PostStats]:
    return sorted(stats, key=lambda s: (-s.engagements, -s.impressions, -s.post_id))[:count]


# --- Findings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    text: str
    metric: str
    group_a: str
    group_b: str
    posts_a: int
    posts_b: int
    mean_a: float
    mean_b: float
    ratio: float


def compare(a: Sequence[float], b: Sequence[float]) -> float | None:
    """mean(a) / mean(b) when the findings rules allow stating it, else None."""
    if len(a) < MIN_GROUP or len(b) < MIN_GROUP:
        return None
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    if mean_b <= 0 or mean_a <= 0:
        return None
    ratio = mean_a / mean_b
    if 1 / MIN_RATIO < ratio < MIN_RATIO:
        return None
    # Leave out the single best post of the group that comes out ahead and check again.
    if ratio >= 1:
        trimmed = (sum(a) - max(a)) / (len(a) - 1) / mean_b
        stable = trimmed >= STABLE_RATIO
    else:
        trimmed = mean_a / ((sum(b) - max(b)) / (len(b) - 1))
        stable = trimmed <= 1 / STABLE_RATIO
    return ratio if stable else None


def _finding(
    label_a: str, label_b: str, metric: str, a: Sequence[float], b: Sequence[float]
) -> Finding | None:
    ratio = compare(a, b)
    if ratio is None:
        return None
    if ratio >= 1:
        text = (
            f"{label_a} get {ratio:.1f}\u00d7 the {metric} of {label_b} "
            f"({len(a)} vs {len(b)} posts)."
        )
    else:
        text = (
            f"{label_a} get {1 / ratio:.1f}\u00d7 fewer {metric} than {label_b} "
            f"({len(a)} vs {len(b)} posts)."
        )
    return Finding(
        text=text,
        metric=metric,
        group_a=label_a,
        group_b=label_b,
        posts_a=len(a),
        posts_b=len(b),
        mean_a=sum(a) / len(a),
        mean_b=sum(b) / len(b),
        ratio=ratio,
    )


def findings(stats: Sequence[PostStats]) -> list[Finding]:
    """Plain-words comparisons that pass the sample-size and stability rules."""
    by_kind: dict[str, list[PostStats]] = defaultdict(list)
    for s in stats:
        by_kind[s.kind].append(s)
    originals = [s for s in stats if s.kind != "reply"]
    candidates = [
        _finding(
            "Posts that link to your blog",
            "your other links",
            "clicks",
            [s.clicks for s in by_kind["promotion"]],
            [s.clicks for s in by_kind["link"]],
        ),
        _finding(
            "Questions",
            "your text posts",
            "replies",
            [s.replies for s in by_kind["question"]],
            [s.replies for s in by_kind["text"]],
        ),
        _finding(
            "Posts with a link",
            "your text posts",
            "likes and reposts",
            [s.likes + s.reposts for s in by_kind["link"] + by_kind["promotion"]],
            [s.likes + s.reposts for s in by_kind["text"]],
        ),
    ]
    short = [s for s in originals if s.length < 100]
    long = [s for s in originals if s.length >= 280]
    candidates.append(
        _finding(
            "Long posts (280+ characters)",
            "short ones (under 100)",
            "engagements",
            [s.engagements for s in long],
            [s.engagements for s in short],
        )
    )
    for summary in group_by_hashtag(originals, limit=5):
        tag = summary.label[1:]
        candidates.append(
            _finding(
                f"Posts tagged {summary.label}",
                "your other posts",
                "engagements",
                [s.engagements for s in originals if tag in s.hashtags],
                [s.engagements for s in originals if tag not in s.hashtags],
            )
        )
    return [f for f in candidates if f is not None]


# --- Chart geometry ----------------------------------------------------------------------------


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above ``value`` (axis top), at least 1."""
    if value <= 1:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def format_number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2g}"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[Tick]
    plot_left: float
    plot_bottom: float
    plot_right: float


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    width: int = 640,
    height: int = 260,
    value_format: str = "{:.0f}",
) -> BarChart:
    left, right, top, bottom = 48.0, width - 8.0, 12.0, height - 56.0
    top_value = nice_ceiling(max(values, default=0))
    slot = (right - left) / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_height = (bottom - top) * (value / top_value)
        bars.append(
            Bar(
                x=round(left + index * slot + slot * 0.15, 2),
                y=round(bottom - bar_height, 2),
                width=round(slot * 0.7, 2),
                height=round(bar_height, 2),
                label=label,
                value=value_format.format(value),
            )
        )
    ticks = [
        Tick(round(bottom - (bottom - top) * i / 4, 2), format_number(top_value * i / 4))
        for i in range(5)
    ]
    return BarChart(width, height, bars, ticks, left, bottom, right)


@dataclass
class LineSeries:
    name: str
    points: str  # SVG polyline "x,y x,y ..."
    css_class: str
    total: int


@dataclass
class LineChart:
    width: int
    height: int
    series: list[LineSeries]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


def line_chart(
    series: Sequence[tuple[str, str, Sequence[int]]],
    *,
    x_labels: Sequence[str] | None = None,
    tick_every: int = 6,
    width: int = 640,
    height: int = 240,
) -> LineChart:
    """Series are (name, css class, counts); x is hours since publication unless labelled."""
    left, right, top, bottom = 44.0, width - 10.0, 10.0, height - 30.0
    length = max((len(values) for _, _, values in series), default=0)
    top_value = nice_ceiling(max((max(values, default=0) for _, _, values in series), default=0))
    step = (right - left) / max(length - 1, 1)
    lines = []
    for name, css_class, values in series:
        points = " ".join(
            f"{left + i * step:.1f},{bottom - (bottom - top) * value / top_value:.1f}"
            for i, value in enumerate(values)
        )
        lines.append(LineSeries(name, points, css_class, sum(values)))
    x_ticks = [
        Tick(round(left + h * step, 1), x_labels[h] if x_labels else f"{h}h")
        for h in range(0, length, tick_every)
    ]
    y_ticks = [
        Tick(round(bottom - (bottom - top) * i / 4, 1), format_number(top_value * i / 4))
        for i in range(5)
    ]
    return LineChart(width, height, lines, x_ticks, y_ticks, left, right, top, bottom)


@dataclass(frozen=True)
class HeatCell:
    x: float
    y: float
    opacity: float
    weekday: str
    hour: int
    rate: str
    posts: int


@dataclass
class HeatMap:
    width: int
    height: int
    cell: float
    cells: list[HeatCell]
    rows: list[tuple[str, float]]  # weekday label and its y
    columns: list[Tick]


def heat_map(rates: Sequence[Sequence[float | None]], posts: Sequence[Sequence[int]]) -> HeatMap:
    """Cells only where posts were made; opacity scales with the rate relative to the best cell."""
    cell, left, top = 24.0, 40.0, 22.0
    highest = max((r for row in rates for r in row if r is not None), default=0.0)
    cells = []
    for d in range(7):
        for h in range(24):
            value = rates[d][h]
            if posts[d][h] == 0:
                continue
            shade = 0.12 + 0.88 * (value / highest) if value is not None and highest > 0 else 0.06
            cells.append(
                HeatCell(
                    x=left + h * cell,
                    y=top + d * cell,
                    opacity=round(shade, 3),
                    weekday=WEEKDAYS[d],
                    hour=h,
                    rate="\u2013" if value is None else f"{value:.1%}",
                    posts=posts[d][h],
                )
            )
    rows = [(WEEKDAYS[d], top + d * cell + cell * 0.7) for d in range(7)]
    columns = [Tick(left + h * cell + cell / 2, f"{h:02d}") for h in range(0, 24, 3)]
    return HeatMap(int(left + 24 * cell + 4), int(top + 7 * cell + 4), cell, cells, rows, columns)
