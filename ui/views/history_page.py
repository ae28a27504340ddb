"""History page: one person's measurements over time, per test and leg; CSV export; delete."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import backend, charts, common

DELETE_KEY = "history_delete_pending"


def _confirm_delete(df: pd.DataFrame) -> None:
    pending = st.session_state.get(DELETE_KEY)
    labels = {
        int(r.id): f"#{int(r.id)} — {pd.Timestamp(r.taken_at):%Y-%m-%d %H:%M}, {r.value_text}"
        for r in df.itertuples()
    }
    if pending is None:
        c1, c2 = st.columns([3, 1])
        target = c1.selectbox(
            "Delete a measurement",
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            placeholder="Choose one to delete",
            key="history_delete_choice",
        )
        c2.write("")
        if c2.button("Delete…", disabled=target is None, key="history_delete"):
            st.session_state[DELETE_KEY] = target
            st.rerun()
        return
    common.confirm_step(
        DELETE_KEY,
        f"Delete {labels.get(int(pending), f'#{pending}')}?",
        lambda: backend.delete_measurement(common.store(), int(pending)),
        key="history_delete",
    )


def page() -> None:
    st.title("History")
    person = common.selected_person()
    if person is None:
        st.info("Choose a person on the **Profile** page to see their history.")
        common.not_a_diagnosis()
        return
    df = backend.measurements(common.store(), person)
    st.caption(f"Measurements of **{person.name}**")
    if df.empty:
        st.info("No measurements saved yet. Record or upload one, then press Save.")
        common.not_a_diagnosis()
        return
    c1, c2 = st.columns(2)
    tests = sorted(df["test"].unique(), key=list(backend.TEST_LABELS).index)
    test = c1.radio("Test", tests, format_func=backend.test_label, horizontal=True, key="history_test")
    # Sit-and-reach tests both legs at once: its "side" is only the way the person faced, so no leg choice.
    mine = df[df["test"] == test]
    mode = None
    if test == "slr":
        sides = sorted(mine["side"].unique())
        side = c2.radio("Leg", sides, horizontal=True, key="history_side")
        modes = sorted(mine.loc[mine["side"] == side, "slr_mode"].unique())
        mode = c2.radio(
            "Raised", modes, horizontal=True, key="history_mode"
        )  # active and passive read differently
        sel = mine[(mine["side"] == side) & (mine["slr_mode"] == mode)].sort_values("taken_at")
    else:
        sel = mine.sort_values("taken_at")
    field, title = backend.history_value(test)
    values = sel[field].dropna()
    baseline = float(values.iloc[0]) if len(values) else None
    mdc = backend.mdc(test, person)
    st.altair_chart(
        charts.history_chart(sel, field, title, backend.history_bands(test, person, mode), baseline, mdc),
        width="stretch",
    )
    unit = "°" if test == "slr" else " cm"
    if baseline is not None and mdc is not None:
        st.caption(
            f"Solid grey line: first measurement; dashed lines: ± the minimal detectable change "
            f"({mdc:.0f}{unit}, one examiner with a goniometer). FlexCheck's own camera error adds to it, so a "
            "change is called likely only beyond both."
        )
    change = backend.compare(sel, test, person)
    if change is not None:
        st.markdown(f"**Since the first measurement:** {change}")
    asym = backend.history_asymmetry(df, test, person, mode or "active")
    if asym is not None:
        st.markdown(f"**Left/right (latest of each, {mode} raise):** {asym}")
    table = sel[["id", "taken_at", "value_text", "band", "symptoms", "source"]].rename(
        columns={"id": "#", "taken_at": "date", "value_text": "result", "band": "band", "source": "from"}
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"date": st.column_config.DatetimeColumn("date", format="YYYY-MM-DD HH:mm")},
    )
    st.download_button(
        "Download all as CSV",
        data=backend.export_csv(common.store(), person),
        file_name=f"flexcheck_{person.name.replace(' ', '_')}.csv",
        mime="text/csv",
        key="history_csv",
    )
    st.download_button(
        "Download report (PDF)",
        data=lambda: backend.report_pdf(common.store(), person),  # built only when clicked
        file_name=f"flexcheck_report_{person.name.replace(' ', '_')}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="history_pdf",
    )
    _confirm_delete(sel)
    common.not_a_diagnosis()
