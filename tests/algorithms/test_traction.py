"""The pure traction maths: bucketing, attribution, classification, findings and chart geometry."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rookery.algorithms import traction as t

T0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)  # a Monday


def stats(n: int, kind: str = "text", **fields: int) -> list[t.PostStats]:
    base = dict(
        hashtags=(), length=50, weekday=0, hour=9, impressions=100, clicks=0, likes=0,
        reposts=0, replies=0,
    )  # fmt: skip
    base.update(fields)
    return [t.PostStats(post_id=i + 1, kind=kind, **base) for i in range(n)]  # type: ignore[arg-type]


def test_hour_and_day_buckets():
    moment = datetime(2025, 3, 3, 23, 59, 59, 999, tzinfo=UTC)
    assert t.hour_bucket(moment) == datetime(2025, 3, 3, 23, tzinfo=UTC)
    assert t.day_bucket(moment) == date(2025, 3, 3)


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2025, 1, 4), timezones=st.just(UTC)
)
raw_events = st.lists(
    st.builds(
        t.RawEvent,
        kind=st.integers(1, 3),
        owner_id=st.integers(1, 3),
        post_id=st.integers(0, 4),
        link_id=st.just(0),
        moment=moments,
    ),
    max_size=60,
)


@given(raw_events, st.integers(0, 60))
def test_rollup_of_a_split_stream_adds_up_to_the_rollup_of_the_whole(events, cut):
    whole = t.rollup_counts(events)
    first, second = t.rollup_counts(events[:cut]), t.rollup_counts(events[cut:])
    for total, a, b in zip(whole, first, second, strict=True):
        assert total == a + b


@given(raw_events)
def test_hourly_buckets_sum_to_daily_and_daily_to_totals(events):
    hourly, daily, owner_daily = t.rollup_counts(events)
    from_hours: Counter = Counter()
    for (post, kind, hour), n in hourly.items():
        assert hour.minute == hour.second == 0
        from_hours[(post, kind, hour.date())] += n
    assert from_hours == daily
    assert sum(owner_daily.values()) == len(events)
    assert sum(daily.values()) == sum(1 for e in events if e.post_id)


def test_hours_since_places_moments_in_whole_hours_and_drops_the_rest():
    late = T0 + timedelta(hours=47, minutes=59)
    moments = [
        T0,
        T0 + timedelta(minutes=59),
        late,
        T0 + timedelta(hours=48),
        T0 - timedelta(seconds=1),
    ]
    series = t.hours_since(T0, moments)
    assert series[0] == 2 and series[47] == 1 and sum(series) == 3


def test_hour_series_from_buckets_starts_at_the_posts_clock_hour():
    buckets = [(t.hour_bucket(T0), 4), (t.hour_bucket(T0) + timedelta(hours=3), 2),
               (t.hour_bucket(T0) + timedelta(hours=60), 9)]  # fmt: skip
    series = t.hour_series_from_buckets(T0, buckets)
    assert len(series) == 48 and series[0] == 4 and series[3] == 2 and sum(series) == 6


def test_follows_are_credited_to_the_latest_post_within_48_hours():
    posts = [(1, T0), (2, T0 + timedelta(hours=10)), (3, T0 + timedelta(days=5))]
    follows = [
        T0 - timedelta(hours=1),  # before any post: nobody
        T0 + timedelta(hours=1),  # post 1
        T0 + timedelta(hours=11),  # post 2 (the latest before it)
        T0 + timedelta(hours=57),  # 47 h after post 2
        T0 + timedelta(hours=59),  # 49 h after post 2: nobody
        T0 + timedelta(days=5, hours=1),  # post 3
    ]
    assert t.attribute_follows(posts, follows) == {1: 1, 2: 2, 3: 1}


def test_content_kind_precedence():
    kind = t.content_kind
    assert kind(is_promotion=True, is_reply=True, is_question=True, has_link=True) == "promotion"
    assert kind(is_promotion=False, is_reply=True, is_question=True, has_link=True) == "reply"
    assert kind(is_promotion=False, is_reply=False, is_question=True, has_link=True) == "question"
    assert kind(is_promotion=False, is_reply=False, is_question=False, has_link=True) == "link"
    assert kind(is_promotion=False, is_reply=False, is_question=False, has_link=False) == "text"


def test_length_buckets():
    assert t.length_bucket(0).startswith("Short")
    assert t.length_bucket(99).startswith("Short")
    assert t.length_bucket(100).startswith("Medium")
    assert t.length_bucket(280).startswith("Long")


def test_findings_need_ten_posts_on_each_side():
    few = stats(9, "promotion", clicks=30) + stats(20, "link", clicks=10)
    assert t.findings(few) == []
    enough = stats(10, "promotion", clicks=30) + stats(20, "link", clicks=10)
    [finding] = t.findings(enough)
    assert finding.ratio == 3.0
    assert finding.text == (
        "Posts that link to your blog get 3.0\u00d7 the clicks of your other links "
        "(10 vs 20 posts)."
    )


def test_a_finding_carried_by_one_viral_post_is_not_stated():
    viral = stats(9, "promotion", clicks=10) + stats(1, "promotion", clicks=500)
    assert t.compare([s.clicks for s in viral], [10] * 20) is None


def test_small_differences_and_zero_baselines_are_not_findings():
    assert t.compare([11] * 12, [10] * 12) is None
    assert t.compare([5] * 12, [0] * 12) is None
    assert t.compare([10] * 12, [20] * 12) == 0.5


def test_heat_matrix_and_best_slots():
    data = (
        stats(3, weekday=1, hour=8, impressions=100, likes=20)  # 20 %
        + stats(3, weekday=2, hour=9, impressions=100, likes=5)  # 5 %
        + stats(2, weekday=4, hour=17, impressions=100, likes=90)  # too few posts to rank
        + stats(4, weekday=0, hour=12, impressions=100, likes=10)  # 10 %
    )
    rates, posts = t.heat_matrix(data)
    assert rates[1][8] == 0.2 and posts[4][17] == 2 and rates[6][0] is None
    assert t.best_slots(data) == [(1, 8), (0, 12), (2, 9)]


def test_nice_ceiling():
    assert [t.nice_ceiling(v) for v in (0, 1, 3, 7, 11, 24, 26, 480)] == [
        1,
        1,
        5,
        10,
        20,
        25,
        50,
        500,
    ]


def test_bar_chart_geometry_fits_the_view_box():
    chart = t.bar_chart(["a", "b", "c"], [5, 10, 0], width=300, height=200)
    assert [b.label for b in chart.bars] == ["a", "b", "c"]
    assert chart.bars[2].height == 0
    assert chart.bars[1].height == 2 * chart.bars[0].height
    for bar in chart.bars:
        assert bar.x >= 0 and bar.x + bar.width <= 300 and 0 <= bar.y <= chart.plot_bottom


def test_line_chart_points_stay_inside_the_plot():
    chart = t.line_chart([("Impressions", "a", [0, 3, 10, 2] + [0] * 44)])
    points = [tuple(map(float, p.split(","))) for p in chart.series[0].points.split()]
    assert len(points) == 48 and chart.series[0].total == 15
    assert all(chart.plot_left <= x <= chart.plot_right for x, _ in points)
    assert all(chart.plot_top <= y <= chart.plot_bottom for _, y in points)
    assert min(y for _, y in points) == chart.plot_top  # 10 is the axis top
    assert [tick.label for tick in chart.x_ticks] == [
        "0h",
        "6h",
        "12h",
        "18h",
        "24h",
        "30h",
        "36h",
        "42h",
    ]


def test_heat_map_draws_only_slots_with_posts():
    data = stats(3, weekday=1, hour=8, likes=20) + stats(1, weekday=6, hour=23, impressions=0)
    rates, posts = t.heat_matrix(data)
    heat = t.heat_map(rates, posts)
    assert len(heat.cells) == 2
    best = next(c for c in heat.cells if c.weekday == "Tue")
    assert best.opacity == 1.0 and best.rate == "20.0%"
    assert all(c.x + heat.cell <= heat.width and c.y + heat.cell <= heat.height for c in heat.cells)
