"""One analysis on screen: number + band, checks, annotated video, chart, reps, asymmetry, plan, save."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from analysis.result import AnalysisResult
from ui import backend, charts, common

if TYPE_CHECKING:
    from scoring import Asymmetry, Plan, Score

SEVERITY_ICON = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def _pm(half_width: float | None, unit: str) -> str:
    """ " ± 3°": the 90% interval the engine states for this clip."""
    return "" if half_width is None else f" ± {half_width:.0f}{unit}"


def _headline(result: AnalysisResult, score: Score) -> None:
    cols = st.columns([1, 1, 1.6])  # band names can be long ("At or past the toes")
    if result.test == "slr":
        value = (
            "—" if result.angle_deg is None else f"{result.angle_deg:.0f}°{_pm(result.uncertainty_deg, '°')}"
        )
        cols[0].metric(f"Straight-leg raise, {result.side} leg", value)
    else:
        value = (
            "—"
            if result.reach_cm is None
            else f"{result.reach_cm:+.1f}{_pm(result.reach_uncertainty_cm, '')} cm"
        )
        cols[0].metric("Sit-and-reach (past the toes)", value)
        if result.angle_deg is not None:
            cols[1].metric(
                "Hip angle at the reach", f"{result.angle_deg:.0f}°{_pm(result.uncertainty_deg, '°')}"
            )
    if score.scored:
        cols[2].metric("Band", score.band_label or "—")
        st.markdown(f"**{score.band_label}**: {score.meaning}")
        if score.norm is not None:
            st.markdown(f"**{score.norm.table}:** {score.norm.category}. {score.norm.detail}")
        for note in score.notes:
            st.caption(note)
    elif result.valid:
        st.warning(f"Not scored: {score.reason}")


def _checks(result: AnalysisResult) -> None:
    if not result.valid:
        st.error("This recording cannot be scored: " + " ".join(c.message for c in result.errors))
    others = [c for c in result.checks if c.severity != "error"]
    if result.valid and not any(c.severity == "warning" for c in others):
        st.success("Checks passed: straight knee, side-on view, whole body in frame.")
    for c in others:
        st.markdown(f"{SEVERITY_ICON.get(c.severity, '')} {c.message}")


def _chart(result: AnalysisResult, person: backend.PersonView | None) -> None:
    if not len(result.series.t_s):
        return
    if result.test == "sit-reach" and result.series.reach_cm is not None:
        field, title = "reach_cm", "Reach past the toes (cm)"
    else:
        field, title = "angle_deg", "SLR angle (deg)" if result.test == "slr" else "Hip angle (deg)"
    # Bands are in the scored unit: degrees for SLR, cm for the reach (the hip angle has none).
    bands = backend.band_ranges(result.test, person) if field != "angle_deg" or result.test == "slr" else []
    st.altair_chart(charts.angle_chart(result, field, title, bands), width="stretch")


def _rep_table(result: AnalysisResult) -> None:
    if not result.reps:
        return
    rows = [
        {
            "rep": i + 1,
            "peak at (s)": round(r.peak_s, 2),
            "angle (deg)": round(r.angle_deg, 1),
            "reach (cm)": None if r.reach_cm is None else round(r.reach_cm, 1),
            "held (s)": round(r.held_s, 1),
            "used": "✓" if r.peak_s == result.peak_s else "",
        }
        for i, r in enumerate(result.reps)
    ]
    df = pd.DataFrame(rows)
    if result.test == "slr":
        df = df.drop(columns=["reach (cm)"])
    st.markdown("**Repetitions**")
    st.dataframe(df, hide_index=True, width="stretch")


def _asymmetry(asym: Asymmetry | None) -> None:
    if asym is None:
        st.caption("Left/right: measure the other leg too to compare sides.")
        return
    icon = ":material/warning:" if asym.flagged else ":material/balance:"
    st.markdown(f"{icon} **Left/right:** {asym.message}")


def _count(n: int | None, what: str) -> str:
    return "" if not n else f"{n} {what}{'' if n == 1 else 's'}"


def _plan(plan: Plan) -> None:
    with st.expander("Suggested plan", expanded=True):
        st.markdown(plan.summary)
        for flag in plan.red_flags:
            st.error(flag)
        for item in plan.items:
            d = item.exercise.dose
            dose = ", ".join(
                part
                for part in (
                    _count(d.sets, "set"),
                    _count(d.reps, "rep"),
                    f"hold {d.hold_s:.0f} s" if d.hold_s else "",
                    "each side" if d.per_side else "",
                    f"{item.sessions_per_week}×/week",
                )
                if part
            )
            st.markdown(f"- **{item.exercise.name}** ({dose}): {item.why} {item.note}".rstrip())
        st.caption(plan.disclaimer)
        if plan.sources:
            with st.popover("Sources"):
                for src in plan.sources:
                    st.caption(src)


def _save(
    result: AnalysisResult, person: backend.PersonView | None, source: str, key: str, score: Score
) -> None:
    if not result.valid:
        st.caption("Nothing is saved for a recording that did not pass the checks.")
        return
    if person is None:
        st.info("Choose a person on the **Profile** page to save this result.")
        return
    saved_key = f"{key}_saved"
    if st.session_state.get(saved_key) == (id(result), person.id):
        st.success(f"Saved to {person.name}'s history.")
        return
    if st.button(f"Save to {person.name}'s history", key=f"{key}_save", type="primary"):
        with common.shown_errors("Could not save"):
            backend.save(common.store(), person, result, source, score)
            st.session_state[saved_key] = (id(result), person.id)  # saves once per result
            st.rerun()


def render_result(
    result: AnalysisResult,
    person: backend.PersonView | None,
    source: str,
    key: str,
    annotated_path: Path | None = None,
) -> None:
    score = backend.score(result, person)
    st.subheader("Result")
    _headline(result, score)
    _checks(result)
    has_video = annotated_path is not None and annotated_path.exists() and annotated_path.stat().st_size > 0
    if has_video and annotated_path is not None:
        left, right = st.columns(2)
        with left:
            st.video(str(annotated_path), format="video/mp4")
        with right:
            _chart(result, person)
    else:
        _chart(result, person)
    _rep_table(result)
    _save(result, person, source, key, score)
    asym = None
    if person is not None and result.valid:
        asym = backend.asymmetry(common.store(), person, result)
        _asymmetry(asym)
    if score.scored:
        _plan(backend.plan(score, asym))
    common.not_a_diagnosis()
