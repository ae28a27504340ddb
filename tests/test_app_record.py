"""Record page logic with AppTest; the webcam component is replaced by a stand-in that records how
the page drives it (the real component is covered by tests/browser/test_browser_webcam.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from history import HistoryStore


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLEXCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FLEXCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'fc.db'}")
    return tmp_path


def _record_page(person_id, captured):
    from types import SimpleNamespace

    import streamlit as st

    from ui.views import record

    calls = st.session_state.setdefault("webrtc_calls", [])

    def fake_webrtc_streamer(**kwargs):
        calls.append({k: kwargs.get(k) for k in ("key", "rtc_configuration", "desired_playing_state")})
        return SimpleNamespace(state=SimpleNamespace(playing=False))

    record.webrtc_streamer = fake_webrtc_streamer  # type: ignore[assignment]
    if person_id is not None:
        st.session_state.setdefault("person_id", person_id)
    if captured is not None and "captured_once" not in st.session_state:
        st.session_state["captured_once"] = True
        st.session_state[record.RESULT_KEY] = captured
    record.page()


def test_guidance_and_idle_camera_without_a_person(data_dir):
    at = AppTest.from_function(_record_page, args=(None, None))
    at.run(timeout=60)
    assert not at.exception
    assert any("Profile" in i.value for i in at.info)
    guidance = " ".join(m.value for m in at.markdown)
    assert "hip height" in guidance and "side-on" in guidance
    call = at.session_state["webrtc_calls"][-1]
    assert call["rtc_configuration"] == {"iceServers": []}  # offline: no STUN/TURN lookups
    assert call["desired_playing_state"] is None
    assert any("not a diagnosis" in c.value for c in at.caption)
    # The sit-and-reach guidance follows the test choice.
    at.radio(key="record_test").set_value("sit-reach").run(timeout=60)
    assert "Sit side-on" in " ".join(m.value for m in at.markdown)


def test_captured_peak_stops_camera_shows_result_and_saves_as_webcam(data_dir):
    from tests.test_app_pages import slr_result

    store = HistoryStore.open(f"sqlite:///{data_dir / 'fc.db'}")
    person = store.add_person("Fay", sex="female")
    at = AppTest.from_function(_record_page, args=(person.id, slr_result(82.0)))
    at.run(timeout=60)
    assert not at.exception
    assert at.session_state["webrtc_calls"][-1]["desired_playing_state"] is False
    assert {m.label: m.value for m in at.metric}["Band"] == "80-90° (active raise): moderate or more"
    at.radio(key="record_slr_mode").set_value("passive").run(timeout=60)  # a helper lifted the leg
    assert {m.label: m.value for m in at.metric}["Band"] == "Moderate extensibility"  # Muyor 2011's words
    assert any("For the helper" in i.value for i in at.info)
    at.button(key="record_save").click().run(timeout=60)
    rows = store.list_measurements(person.id)
    assert [(r.source, r.angle_deg, r.slr_mode) for r in rows] == [("webcam", 82.0, "passive")]
    # Measure again: the result goes, the camera may start again.
    at.button(key="record_again").click().run(timeout=60)
    assert not any(m.label == "Band" for m in at.metric)
    assert at.session_state["webrtc_calls"][-1]["desired_playing_state"] is None
