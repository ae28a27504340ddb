"""One analysis on screen: number + verdict, checks, video, chart, reps, asymmetry, symptom screen, plan, save."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from analysis.result import AnalysisResult
from ui import backend, charts, common

if TYPE_CHECKING:
    from scoring import Asymmetry, Plan, PlanItem, Score, Symptoms

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
        verdict = f"{score.norm.table}: " if score.norm is not None else ""
        st.markdown(f"**{verdict}{score.band_label}.** {score.meaning}")
        if score.slr_mode is not None:
            st.caption(
                f"Straight-leg raise mode: **{score.slr_mode}** ({backend.SLR_MODE_LABELS[score.slr_mode]})."
            )
        for line in score.context:
            st.markdown(line)
        if score.check_first:
            st.warning(score.check_first, icon=":material/medical_information:")
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


def _chart(result: AnalysisResult, person: backend.PersonView | None, slr_mode: str | None) -> None:
    if not len(result.series.t_s):
        return
    if result.test == "sit-reach" and result.series.reach_cm is not None:
        field, title = "reach_cm", "Reach past the toes (cm)"
    else:
        field, title = "angle_deg", "SLR angle (deg)" if result.test == "slr" else "Hip angle (deg)"
    # Bands are in the scored unit: degrees for SLR, cm for the reach (the hip angle has none).
    bands = (
        backend.band_ranges(result.test, person, slr_mode)
        if field != "angle_deg" or result.test == "slr"
        else []
    )
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


def _asymmetry(result: AnalysisResult, asym: Asymmetry | None) -> None:
    if result.test != "slr":
        return  # sit-and-reach tests both legs at once: no left/right comparison
    if asym is None:
        st.caption("Left/right: measure the other leg the same way (same mode) to compare sides.")
        return
    icon = ":material/warning:" if asym.flagged else ":material/balance:"
    st.markdown(f"{icon} **Left/right:** {asym.message}")


def _symptom_screen(result: AnalysisResult, key: str) -> Symptoms | None:
    """The questions asked before any plan; returns the answers once submitted (None until then)."""
    from scoring import QUESTIONS, Symptoms

    state_key = f"{key}_symptoms"
    stored = st.session_state.get(state_key)
    if stored is not None and stored[0] == id(result):
        answers: Symptoms = stored[1]
        c1, c2 = st.columns([4, 1])
        c1.markdown(f":material/assignment: **Your answers:** {answers.describe()}")
        if c2.button("Change answers", key=f"{key}_symptoms_reset"):
            st.session_state.pop(state_key, None)
            st.rerun()
        return answers
    st.markdown("#### Before your plan: a few questions")
    st.caption("Tick anything that applies now. The most urgent questions come first.")
    with st.form(f"{key}_symptom_form"):
        ticked: dict[str, object] = {}
        grade_choices = {
            "No recent strain": None,
            "Grade 1 (mild)": 1,
            "Grade 2 (moderate)": 2,
            "Grade 3 (severe tear)": 3,
        }
        for q in QUESTIONS:
            if q.key == "recent_strain":
                choice = st.radio(q.text, list(grade_choices), horizontal=True, key=f"{key}_q_{q.key}")
                ticked["strain_grade"] = grade_choices[choice]
            else:
                ticked[q.key] = st.checkbox(q.text, key=f"{key}_q_{q.key}")
        if st.form_submit_button("Show my plan", type="primary"):
            st.session_state[state_key] = (id(result), Symptoms(**ticked))  # type: ignore[arg-type]
            st.rerun()
    st.info("Answer the questions above to see your exercise plan.")
    return None


def _item(item: PlanItem) -> None:
    ex = item.exercise
    dose = ", ".join(p for p in (ex.dose.text(), f"{item.sessions_per_week}×/week") if p)
    st.markdown(f"**{ex.name}** · {dose}  \n{item.why} {item.note}".rstrip())
    for caution in ex.cautions:
        st.markdown(f":orange[:material/warning: {caution}]")
    with st.expander(f"How to do it: {ex.name}"):
        st.markdown("\n".join(f"{n}. {step}" for n, step in enumerate(ex.steps, 1)))
        if ex.dose.progression:
            st.caption(f"Progression: {ex.dose.progression}")
        st.caption(f"Why: {ex.benefit} How often: {ex.frequency.text()}.")


def _week_grid(plan: Plan) -> None:
    names = {i.exercise.id: i.exercise.name for i in plan.items}
    rows = [
        {"exercise": name, **{day: ("●" if ex_id in ids else "") for day, ids in plan.week}}
        for ex_id, name in names.items()
    ]
    st.markdown("**Your week**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _plan(plan: Plan) -> None:
    with st.expander("Your plan", expanded=True):
        for flag in plan.red_flags:  # red flags first, before anything else
            st.error(flag)
        st.markdown(f"**{plan.summary}**")
        for caution in plan.cautions:
            st.warning(caution)
        if plan.severity is not None:
            sev = plan.severity
            st.markdown(f"**{sev.label}** ({sev.impact_on_knee}) {sev.strategies} {sev.notes}")
        if plan.stop:
            st.markdown("No exercises are suggested until a clinician has assessed you.")
        for item in plan.items:
            _item(item)
        if plan.items:
            _week_grid(plan)
        if plan.evidence_notes:
            st.markdown("**Why this plan: the evidence**")
            for note in plan.evidence_notes:
                st.caption(note)
        st.caption(plan.disclaimer)
        if plan.sources:
            with st.popover("Sources"):
                for src in plan.sources:
                    st.caption(src)


def _save(
    result: AnalysisResult,
    person: backend.PersonView | None,
    source: str,
    key: str,
    score: Score,
    symptoms: Symptoms | None,
) -> None:
    reason = backend.why_not_saved(result)
    if reason:
        st.caption(f"Not saved: {reason}")
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
            backend.save(common.store(), person, result, source, score, score.slr_mode, symptoms)
            st.session_state[saved_key] = (id(result), person.id)  # saves once per result
            st.rerun()


def render_result(
    result: AnalysisResult,
    person: backend.PersonView | None,
    source: str,
    key: str,
    annotated_path: Path | None = None,
    slr_mode: str | None = None,
) -> None:
    score = backend.score(result, person, slr_mode)
    st.subheader("Result")
    _headline(result, score)
    _checks(result)
    has_video = annotated_path is not None and annotated_path.exists() and annotated_path.stat().st_size > 0
    if has_video and annotated_path is not None:
        left, right = st.columns(2)
        with left:
            st.video(str(annotated_path), format="video/mp4")
        with right:
            _chart(result, person, score.slr_mode)
    else:
        _chart(result, person, score.slr_mode)
    _rep_table(result)
    asym = None
    if person is not None and result.valid:
        asym = backend.asymmetry(common.store(), person, result, score.slr_mode)
        _asymmetry(result, asym)
        if not st.session_state.get(f"{key}_saved"):  # once saved, "last" would be this result itself
            change = backend.change_since_last(common.store(), person, result, score.slr_mode)
            if change is not None:
                st.markdown(f":material/timeline: **Since your last saved measurement:** {change}")
    symptoms = None
    if score.scored:  # the symptom screen comes before any plan
        symptoms = _symptom_screen(result, key)
        if symptoms is not None:
            _plan(backend.plan(score, asym, symptoms))
    _save(result, person, source, key, score, symptoms)
    common.not_a_diagnosis()
