"""Altair charts: a clip's angle over time, and a person's measurements over time (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from analysis.result import AnalysisResult
from report.charts import BandRange, band_layer, history_chart

__all__ = ["BandRange", "angle_chart", "angle_frame", "history_chart"]


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
        layers.append(band_layer(bands, title, 0.0, t_max))
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
