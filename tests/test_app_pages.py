"""Page logic with Streamlit's AppTest: real pages, real history store (SQLite in a temp dir),
real scoring; results are built as engine output would be (the engine has its own tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analysis.result import AnalysisResult, Check, MeasureSeries, Rep, VideoInfo
from history import HistoryStore, measurement_from_result


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLEXCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FLEXCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'fc.db'}")
    return tmp_path


def _store(data_dir: Path) -> HistoryStore:
    return HistoryStore.open(f"sqlite:///{data_dir / 'fc.db'}")


def slr_result(peak_deg: float = 74.0, side: str = "left", valid: bool = True) -> AnalysisResult:
    """An SLR clip's analysis: one raise to `peak_deg` at 2 s, held ~1 s."""
    t = np.arange(0, 4, 1 / 30)
    angle = peak_deg * np.clip(np.sin(np.pi * t / 4) * 1.2, 0, 1)
    checks = [Check("knee_bent", "error", "The raised knee was bent by 35 degrees.")] if not valid else []
    return AnalysisResult(
        test="slr",
        side=side,  # type: ignore[arg-type]
        video=VideoInfo(30.0, len(t), 4.0, 640, 360, 0),
        series=MeasureSeries(t, angle, np.full_like(t, 3.0)),
        reps=[Rep(0.5, 2.0, 3.5, peak_deg, None, 1.0)],
        valid=valid,
        angle_deg=peak_deg,
        reach_cm=None,
        peak_s=2.0,
        checks=checks,
        engine_version="test",
        model_name="test",
    )


def _result_page(result, person_id):
    import streamlit as st

    from ui import common
    from ui.result_view import render_result

    if person_id is not None:
        st.session_state[common.PERSON_KEY] = person_id
    render_result(result, common.selected_person(), source="upload", key="t")


def _page(module):
    import importlib

    importlib.import_module(f"ui.views.{module}").page()


def _run(target) -> AppTest:
    """Run the app (an AppTest, or a widget after an interaction) and fail on any exception."""
    at = target.run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_profile_creates_selects_and_refuses_duplicates(data_dir):
    at = _run(AppTest.from_function(_page, args=("profile",)))
    assert any("No one yet" in i.value for i in at.info)
    at.text_input(key="new_name").input("Grace")
    at.number_input(key="new_age").set_value(41)
    at.selectbox(key="new_sex").select("male")
    at.number_input(key="new_height").set_value(181.0)
    _run(at.form_submit_button[0].click())
    assert any("Measuring **Grace**" in s.value and "181 cm" in s.value for s in at.success)
    people = _store(data_dir).list_people()
    assert [(p.name, p.sex, p.height_cm) for p in people] == [("Grace", "male", 181.0)]
    assert at.session_state["person_id"] == people[0].id
    # Same name again: one clear line, no traceback, still one person.
    at.text_input(key="new_name").input("grace")
    _run(at.form_submit_button[0].click())
    assert len(at.error) == 1 and "already exists" in at.error[0].value
    assert len(_store(data_dir).list_people()) == 1
    # A second person becomes the selected one, in the list too; choosing in the list switches back.
    at.text_input(key="new_name").input("Hopper")
    _run(at.form_submit_button[0].click())
    assert any("Measuring **Hopper**" in s.value for s in at.success)
    assert at.selectbox(key="profile_person").value == at.session_state["person_id"]
    _run(at.selectbox(key="profile_person").select(people[0].id))
    assert at.session_state["person_id"] == people[0].id
    assert any("Measuring **Grace**" in s.value for s in at.success)


def test_profile_delete_person_asks_first_and_really_deletes(data_dir):
    store = _store(data_dir)
    keep = store.add_person("Keep")
    gone = store.add_person("Gone")
    store.save_measurement(measurement_from_result(slr_result(70.0), gone.id, "upload", "reduced"))
    store.close()
    at = AppTest.from_function(_page, args=("profile",))
    at.session_state["person_id"] = gone.id
    _run(at)
    _run(at.button(key="profile_delete").click())
    assert any("cannot be undone" in w.value for w in at.warning)
    _run(at.button(key="profile_delete_no").click())  # cancel keeps everything
    assert sorted(p.name for p in _store(data_dir).list_people()) == ["Gone", "Keep"]
    _run(at.button(key="profile_delete").click())
    _run(at.button(key="profile_delete_yes").click())
    after = _store(data_dir)
    assert [p.id for p in after.list_people()] == [keep.id]
    assert after.list_measurements(gone.id) == []
    assert "person_id" not in at.session_state


def test_result_view_scores_plans_and_saves_once(data_dir):
    person = _store(data_dir).add_person("Ada", birth_year=1990, sex="female", height_cm=168)
    at = _run(AppTest.from_function(_result_page, args=(slr_result(74.0), person.id)))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Straight-leg raise, left leg"] == "74°"
    assert (
        metrics["Band"] == "Below 80° (active raise)"
    )  # default mode: active, cut-points from passive tests
    assert any("come from passive tests" in c.value for c in at.caption)
    # the symptom screen comes first: no plan until it is answered
    assert not any(e.label == "Your plan" for e in at.expander)
    assert any("Answer the questions above" in i.value for i in at.info)
    assert any("not a diagnosis" in c.value for c in at.caption)
    assert at.dataframe[0].value["angle (deg)"].tolist() == [74.0]
    at.checkbox(key="t_q_pain_behind_knee").check()
    _run(at.form_submit_button[0].click())
    assert any(e.label == "Your plan" for e in at.expander)
    assert any("behind the knee" in e.value for e in at.error)
    text = " ".join(m.value for m in at.markdown)
    assert "Your answers:** pain behind knee" in text and "Your week" in text
    assert any("no ballistic kicking" in m.value for m in at.markdown)  # cautions are on screen
    save = at.button(key="t_save")
    _run(save.click())
    assert any("Saved to Ada's history" in s.value for s in at.success)
    assert len(at.button) == 0 or all(b.key != "t_save" for b in at.button)  # no second save
    rows = _store(data_dir).list_measurements(person.id)
    assert [(r.test, r.side, r.angle_deg, r.band, r.source, r.slr_mode) for r in rows] == [
        ("slr", "left", 74.0, "reduced", "upload", "active")
    ]
    assert rows[0].symptoms is not None and rows[0].symptoms["pain_behind_knee"] is True


@pytest.mark.parametrize(
    ("answer", "expect", "forbidden"),
    [
        ("severe_pain", "Stop: see a clinician", "Your week"),
        ("tingling", "See a clinician first", "Leg swings"),
    ],
)
def test_symptom_screen_red_flags_and_nerve_symptoms(data_dir, answer, expect, forbidden):
    person = _store(data_dir).add_person("Sam", sex="male")
    at = _run(AppTest.from_function(_result_page, args=(slr_result(60.0), person.id)))
    at.checkbox(key=f"t_q_{answer}").check()
    _run(at.form_submit_button[0].click())
    text = " ".join(m.value for m in at.markdown)
    assert expect in text and forbidden not in text
    assert at.error and "clinician" in at.error[0].value.lower()


def test_result_view_shows_asymmetry_from_history(data_dir):
    store = _store(data_dir)
    person = store.add_person("Lin", sex="male")
    store.save_measurement(
        measurement_from_result(slr_result(90.0, side="right"), person.id, "upload", "high")
    )
    at = _run(AppTest.from_function(_result_page, args=(slr_result(70.0, side="left"), person.id)))
    text = " ".join(m.value for m in at.markdown)
    assert "Left/right" in text and "left" in text.lower()


def test_result_view_compares_with_the_last_session_of_the_same_leg_and_mode(data_dir):
    store = _store(data_dir)
    person = store.add_person("Max", sex="male")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    store.save_measurement(
        measurement_from_result(slr_result(60.0), person.id, "upload", None, taken_at=t0, slr_mode="active")
    )
    # a later passive session of the same leg must not be the one compared with an active result
    store.save_measurement(
        measurement_from_result(
            slr_result(73.0), person.id, "upload", None, taken_at=t0 + timedelta(days=1), slr_mode="passive"
        )
    )
    at = _run(AppTest.from_function(_result_page, args=(slr_result(74.0), person.id)))
    text = " ".join(m.value for m in at.markdown)
    # 60 -> 74 active: 14 deg > sqrt(8^2 + 3^2 + 3^2) = 9.1 deg (MDC for men + assumed camera error)
    assert "Since your last saved measurement:** Likely change: +14.0 deg" in text


def test_sit_and_reach_result_shows_reach_norm_and_hip_angle(data_dir):
    person = _store(data_dir).add_person("Eve", birth_year=1996, sex="female", height_cm=165)
    t = np.arange(0, 4, 1 / 30)
    hip = 100 - 35 * np.clip(np.sin(np.pi * t / 4) * 1.2, 0, 1)
    reach = -20 + 25 * np.clip(np.sin(np.pi * t / 4) * 1.2, 0, 1)
    result = AnalysisResult(
        test="sit-reach",
        side="right",
        video=VideoInfo(30.0, len(t), 4.0, 640, 360, 0),
        series=MeasureSeries(t, hip, np.full_like(t, 4.0), reach),
        reps=[Rep(0.5, 2.0, 3.5, 65.0, 5.0, 1.2)],
        valid=True,
        angle_deg=65.0,
        reach_cm=5.0,
        peak_s=2.0,
        checks=[],
    )
    at = _run(AppTest.from_function(_result_page, args=(result, person.id)))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sit-and-reach (past the toes)"] == "+5.0 cm"
    assert metrics["Hip angle at the reach"] == "65°"
    # ONE verdict: the YMCA norm for a woman aged 30 (5 cm is between -1.3 and 7.6 cm); the toe line is context
    assert metrics["Band"] == "Below average"
    assert any("YMCA" in m.value and "below average" in m.value for m in at.markdown)
    assert any("5.0 cm past your toes" in m.value for m in at.markdown)
    assert not any("At or past the toes" in m.value for m in at.markdown)
    assert not any("Left/right" in m.value for m in at.markdown)  # no sides for sit-and-reach
    assert at.dataframe[0].value["reach (cm)"].tolist() == [5.0]


def test_invalid_result_is_explained_and_never_saved(data_dir):
    person = _store(data_dir).add_person("Bo")
    at = _run(AppTest.from_function(_result_page, args=(slr_result(95.0, valid=False), person.id)))
    assert "cannot be scored" in at.error[0].value and "knee was bent" in at.error[0].value
    assert all(b.key != "t_save" for b in at.button)
    assert not any(m.label == "Band" for m in at.metric)
    assert _store(data_dir).list_measurements(person.id) == []


def _history_page(person_id):
    import streamlit as st

    from ui.views import history_page

    st.session_state.setdefault("person_id", person_id)
    history_page.page()


def test_history_chart_table_csv_and_confirmed_delete(data_dir):
    store = _store(data_dir)
    person = store.add_person("Cy", birth_year=1985, sex="female")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i, deg in enumerate([68.0, 75.0, 83.0]):
        store.save_measurement(
            measurement_from_result(
                slr_result(deg), person.id, "upload", None, taken_at=t0 + timedelta(days=7 * i)
            )
        )
    at = _run(AppTest.from_function(_history_page, args=(person.id,)))
    table = at.dataframe[0].value
    assert table["result"].tolist() == ["68°", "75°", "83°"]
    assert len(at.get("vega_lite_chart")) == 1
    assert any("minimal detectable change" in c.value for c in at.caption)
    text = " ".join(m.value for m in at.markdown)
    # 68 -> 83: more than sqrt(12^2 + 3^2 + 3^2) = 12.7 deg (MDC for women + assumed camera error)
    assert "Since the first measurement:** Likely change: +15.0 deg" in text
    assert "Left/right" not in text  # only the left leg was measured
    assert at.download_button(key="history_csv") is not None
    first_id = int(table["#"].iloc[0])
    # Delete needs a confirmation; Cancel keeps it.
    _run(at.selectbox(key="history_delete_choice").select(first_id))
    _run(at.button(key="history_delete").click())
    assert any("cannot be undone" in w.value for w in at.warning)
    _run(at.button(key="history_delete_no").click())
    assert len(store.list_measurements(person.id)) == 3
    _run(at.selectbox(key="history_delete_choice").select(first_id))
    _run(at.button(key="history_delete").click())
    _run(at.button(key="history_delete_yes").click())
    remaining = store.list_measurements(person.id)
    assert [r.angle_deg for r in remaining] == [75.0, 83.0]
    assert at.dataframe[0].value["result"].tolist() == ["75°", "83°"]


def test_upload_of_a_non_video_shows_one_line_and_saves_nothing(data_dir):
    person = _store(data_dir).add_person("Di")

    def script(pid):
        import streamlit as st

        from ui.views import upload

        st.session_state.setdefault("person_id", pid)
        upload.page()

    at = _run(AppTest.from_function(script, args=(person.id,)))
    at.file_uploader(key="upload_file").upload("holiday.mp4", b"this is not a video", "video/mp4")
    _run(at)
    _run(at.button(key="upload_go").click())
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "holiday.mp4" in msg and "Traceback" not in msg and "\n" not in msg
    assert _store(data_dir).list_measurements(person.id) == []
