"""The history chart (a person's measurements over time) and the score bands behind it.

Shared by the app's History page (ui/charts.py re-exports it) and the PDF report, which renders the
same Altair spec to PNG, so both show one chart from one piece of code. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

if TYPE_CHECKING:
    from scoring import Profile

# Worst to best, matching scoring's band order (low angle / short reach first).
BAND_COLORS = (
    "#d62728",
    "#f2c300",
    "#2ca02c",
    "#1f77b4",
    "#9467bd",
)  # red, amber, green, blue: distinct when pale
AXIS_LIMITS = {"slr": (0.0, 130.0), "sit-reach": (-40.0, 40.0)}


@dataclass(frozen=True)
class BandRange:
    """A coloured band behind a chart: [lo, hi) in the chart's unit."""

    label: str
    lo: float
    hi: float
    color: str


def band_layer(bands: Sequence[BandRange], y_field: str, x_lo: object, x_hi: object) -> alt.Chart:
    df = pd.DataFrame(
        [{"band": b.label, "lo": b.lo, "hi": b.hi, "x0": x_lo, "x1": x_hi, "color": b.color} for b in bands]
    )
    return (
        alt.Chart(df)
        .mark_rect(opacity=0.2)
        .encode(
            x="x0",
            x2="x1",
            y=alt.Y("lo:Q", title=y_field),
            y2="hi:Q",
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=[b.label for b in bands], range=[b.color for b in bands]),
                legend=alt.Legend(title="Band"),
            ),
            tooltip=["band:N", "lo:Q", "hi:Q"],
        )
    )


def history_chart(
    df: pd.DataFrame,
    value_field: str,
    value_title: str,
    bands: Sequence[BandRange],
    baseline: float | None,
    mdc: float | None,
) -> alt.LayerChart:
    """Measurements over time with score bands, and the baseline +/- MDC as a grey band.

    A change that stays inside the grey band is within measurement error.
    """
    data = df[["taken_at", value_field]].dropna().copy()
    data["taken_at"] = pd.to_datetime(data["taken_at"])
    if len(data):
        t0, t1 = data["taken_at"].min(), data["taken_at"].max()
    else:
        t0 = t1 = pd.Timestamp.now()
    pad = max(pd.Timedelta(days=7), (t1 - t0) * 0.05)  # a lone point gets day ticks, not hours
    x_lo, x_hi = (t0 - pad).isoformat(), (t1 + pad).isoformat()
    layers: list[alt.Chart] = []
    if bands:
        layers.append(
            band_layer(bands, value_title, x_lo, x_hi).encode(x=alt.X("x0:T", title="date"), x2="x1:T")
        )
    if baseline is not None and mdc is not None:
        # Baseline as a solid grey line, baseline +/- MDC as dashed lines with a light fill between.
        mdc_df = pd.DataFrame(
            [{"x0": x_lo, "x1": x_hi, "lo": baseline - mdc, "hi": baseline + mdc,
              "what": f"first measurement ± MDC ({mdc:.1f})"}]
        )  # fmt: skip
        lines = pd.DataFrame(
            {"y": [baseline - mdc, baseline, baseline + mdc], "dash": ["mdc", "baseline", "mdc"]}
        )
        layers.append(
            alt.Chart(mdc_df)
            .mark_rect(color="#7f7f7f", opacity=0.12)
            .encode(x="x0:T", x2="x1:T", y="lo:Q", y2="hi:Q", tooltip=["what:N"])
        )
        layers.append(
            alt.Chart(lines)
            .mark_rule(color="#555555")
            .encode(
                y="y:Q",
                strokeDash=alt.StrokeDash(
                    "dash:N", scale=alt.Scale(domain=["baseline", "mdc"], range=[[1, 0], [6, 4]]), legend=None
                ),
            )
        )
    layers.append(
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True), color="#1f4e79")
        .encode(
            x=alt.X("taken_at:T", title="date"),
            y=alt.Y(f"{value_field}:Q", title=value_title),
            tooltip=[
                alt.Tooltip("taken_at:T", format="%Y-%m-%d %H:%M"),
                alt.Tooltip(f"{value_field}:Q", format=".1f"),
            ],
        )
    )
    return alt.LayerChart(layer=layers).properties(height=300)


def history_value(test: str) -> tuple[str, str]:
    """Which column the history chart plots for a test, and its axis title."""
    return ("angle_deg", "SLR angle (deg)") if test == "slr" else ("reach_cm", "Reach past the toes (cm)")


def band_ranges(test: str, profile: Profile | None, slr_mode: str | None = None) -> list[BandRange]:
    """The score bands of a test in its unit (deg for SLR, cm for sit-reach), closed for charts.

    SLR bands depend on the mode (active/passive); None means active."""
    from scoring import bands

    lo_lim, hi_lim = AXIS_LIMITS.get(test, (0.0, 1.0))
    return [
        BandRange(
            e.label,
            lo_lim if e.lo is None else e.lo,
            hi_lim if e.hi is None else e.hi,
            BAND_COLORS[min(i, len(BAND_COLORS) - 1)],
        )
        for i, e in enumerate(bands(test, profile, slr_mode))
    ]
