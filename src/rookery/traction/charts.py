"""What the chart templates need: geometry from algorithms.traction plus titles and data tables.

Every chart carries a one-sentence description (its ``<desc>``) and the numbers it draws as a
table, shown in a ``<details>`` under it, so it reads the same to a screen reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html_join

from rookery.algorithms import traction as maths
from rookery.traction.selectors import Insights, PostMetrics


@dataclass
class Chart:
    id: str
    kind: str  # "line", "bar" or "heat": picks the template
    title: str
    description: str
    geometry: Any
    headers: list[str]
    rows: list[list[str]]

    @property
    def template(self) -> str:
        return f"traction/_{self.kind}_chart.html"

    @property
    def rows_html(self) -> str:
        # Built here rather than with nested template loops: a 90-day table has ~300 cells and
        # the template engine spent more on them than on everything else on the page.
        return format_html_join(
            "",
            '<tr><th scope="row">{}</th>{}</tr>',
            (
                (row[0], format_html_join("", "<td>{}</td>", ((cell,) for cell in row[1:])))
                for row in self.rows
            ),
        )


def _percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.1%}"


def post_charts(metrics: PostMetrics) -> list[Chart]:
    views = maths.line_chart([("Impressions", "series-a", metrics.hourly_impressions)])
    actions = maths.line_chart(
        [
            ("Link clicks", "series-b", metrics.hourly_clicks),
            ("Likes, reposts and replies", "series-c", metrics.hourly_reactions),
        ]
    )
    peak = max(range(len(metrics.hourly_impressions)), key=metrics.hourly_impressions.__getitem__)
    return [
        Chart(
            id="chart-impressions",
            kind="line",
            title="Impressions per hour, first 48 hours",
            description=(
                f"{sum(metrics.hourly_impressions)} impressions in the first 48 hours"
                + (
                    f", most in hour {peak} ({metrics.hourly_impressions[peak]})."
                    if any(metrics.hourly_impressions)
                    else "."
                )
            ),
            geometry=views,
            headers=["Hour after posting", "Impressions"],
            rows=[[str(h), str(v)] for h, v in enumerate(metrics.hourly_impressions)],
        ),
        Chart(
            id="chart-actions",
            kind="line",
            title="Clicks and reactions per hour, first 48 hours",
            description=(
                f"{sum(metrics.hourly_clicks)} link clicks and "
                f"{sum(metrics.hourly_reactions)} likes, reposts and replies in the first 48 hours."
            ),
            geometry=actions,
            headers=["Hour after posting", "Link clicks", "Likes, reposts and replies"],
            rows=[
                [str(h), str(c), str(r)]
                for h, (c, r) in enumerate(
                    zip(metrics.hourly_clicks, metrics.hourly_reactions, strict=True)
                )
            ],
        ),
    ]


def _group_chart(chart_id: str, title: str, groups: list[maths.GroupSummary]) -> Chart:
    rates = [(g.engagement_rate or 0.0) * 100 for g in groups]
    best = max(groups, key=lambda g: g.engagement_rate or 0.0) if groups else None
    return Chart(
        id=chart_id,
        kind="bar",
        title=title,
        description=(
            f"Engagement rate by group; highest: {best.label} at {_percent(best.engagement_rate)}."
            if best is not None
            else "No posts in this period."
        ),
        geometry=maths.bar_chart([g.label for g in groups], rates, value_format="{:.1f}%"),
        headers=["Group", "Posts", "Impressions", "Clicks", "Engagements", "Engagement rate"],
        rows=[
            [
                g.label,
                str(g.posts),
                str(g.impressions),
                str(g.clicks),
                str(g.engagements),
                _percent(g.engagement_rate),
            ]
            for g in groups
        ],
    )


def insight_charts(data: Insights) -> list[Chart]:
    heat = maths.heat_map(data.heat_rates, data.heat_posts)
    daily_chart = maths.line_chart(
        [
            ("Impressions", "series-a", [d[1] for d in data.daily]),
            ("Link clicks", "series-b", [d[2] for d in data.daily]),
        ],
        x_labels=[d[0][5:] for d in data.daily],  # MM-DD
        tick_every=max(len(data.daily) // 6, 1),
    )
    slots = ", ".join(f"{maths.WEEKDAYS[d]} {h:02d}:00" for d, h in data.best_slots)
    return [
        Chart(
            id="chart-daily",
            kind="line",
            title=f"Impressions and link clicks per day, last {data.days} days",
            description=(
                f"{sum(d[1] for d in data.daily)} impressions and "
                f"{sum(d[2] for d in data.daily)} link clicks over {data.days} days."
            ),
            geometry=daily_chart,
            headers=["Day", "Impressions", "Link clicks"],
            rows=[[d, str(i), str(c)] for d, i, c in data.daily],
        ),
        _group_chart("chart-kind", "Engagement rate by kind of post", data.by_kind),
        _group_chart("chart-hashtag", "Engagement rate by hashtag", data.by_hashtag),
        _group_chart("chart-length", "Engagement rate by length", data.by_length),
        Chart(
            id="chart-heat",
            kind="heat",
            title="Engagement rate by weekday and hour you posted",
            description=(
                "Darker cells had a higher engagement rate; empty cells had no posts. "
                + (f"Best times: {slots}." if slots else "Too few posts yet to name best times.")
            ),
            geometry=heat,
            headers=["Weekday", "Hour", "Posts", "Engagement rate"],
            rows=[[c.weekday, f"{c.hour:02d}:00", str(c.posts), c.rate] for c in heat.cells],
        ),
    ]
