"""Altair charts: a clip's angle over time, and a person's measurements over time (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from analysis.result import AnalysisResult


@dataclass(frozen=True)
class BandRange:
    """A coloured band behind a chart: [lo, hi) in the chart's unit."""

    label: str
    lo: float
    hi: float
    color: str


def _band_layer(bands: Sequence[BandRange], y_field: str, x_lo: object, x_hi: object) -> alt.Chart:
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


def angle_frame(result: AnalysisResult) -> pd.DataFrame:
    s = result.series
    df = pd.DataFrame(
        {
            "t_s": np.asarray(s.t_s, dtype=float),
            "angle_deg": np.asarray(s.angle_deg, dtype=float),
            "knee_flexion_deg": np.asarray(s.knee_flexion_deg, dtype=float),
        }
    )
    if s.reach_cm is not None:
        df["reach_cm"] = np.asarray(s.reach_cm, dtype=float)
    return df


def angle_chart(result: AnalysisResult, field: str, title: str, bands: Sequence[BandRange]) -> alt.LayerChart:
    """A measure (angle or reach) vs time, score bands behind it, every rep's peak marked."""
    df = angle_frame(result).dropna(subset=[field])
    t_max = float(df["t_s"].max()) if len(df) else 1.0
    line = (
        alt.Chart(df)
        .mark_line(color="#1f4e79")
        .encode(
            x=alt.X("t_s:Q", title="time (s)"),
            y=alt.Y(f"{field}:Q", title=title),
            tooltip=[alt.Tooltip("t_s:Q", format=".2f"), alt.Tooltip(f"{field}:Q", format=".1f")],
        )
    )
    peak_value = {r.peak_s: (r.reach_cm if field == "reach_cm" else r.angle_deg) for r in result.reps}
    peaks = pd.DataFrame(
        [
            {"t_s": r.peak_s, field: peak_value[r.peak_s], "rep": i + 1, "best": r.peak_s == result.peak_s}
            for i, r in enumerate(result.reps)
            if peak_value[r.peak_s] is not None
        ]
    )
    layers: list[alt.Chart] = []
    if bands:
        layers.append(_band_layer(bands, title, 0.0, t_max))
    layers.append(line)
    if len(peaks):
        layers.append(
            alt.Chart(peaks)
            .mark_point(size=140, filled=True, shape="triangle-down")
            .encode(
                x="t_s:Q",
                y=f"{field}:Q",
                color=alt.condition("datum.best", alt.value("#d62728"), alt.value("#555555")),
                tooltip=[
                    "rep:Q",
                    alt.Tooltip(f"{field}:Q", format=".1f"),
                    alt.Tooltip("t_s:Q", format=".2f"),
                ],
            )
        )
    return alt.LayerChart(layer=layers).properties(height=300)


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
    pad = max(pd.Timedelta(hours=12), (t1 - t0) * 0.05)
    x_lo, x_hi = (t0 - pad).isoformat(), (t1 + pad).isoformat()
    layers: list[alt.Chart] = []
    if bands:
        layers.append(
            _band_layer(bands, value_title, x_lo, x_hi).encode(x=alt.X("x0:T", title="date"), x2="x1:T")
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
