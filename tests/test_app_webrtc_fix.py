"""streamlit-webrtc must not tear down a live camera because Streamlit's run counter lagged.

The script below renders the webcam context on every run while the fake session's
`script_run_count` jumps by two between consecutive runs, as it does when the server sends the
"script finished" message of one run after the next run already read the counter.
"""

from __future__ import annotations

import pytest
import streamlit_webrtc.component as webrtc_component
from streamlit.testing.v1 import AppTest

from ui import webrtc_fix


def _script() -> None:
    import streamlit as st
    import streamlit_webrtc.component as c

    from ui import webrtc_fix

    class LaggingSessionInfo:
        # Streamlit's counter as seen by each run: 0, 2, 4... (every other update arrives late).
        script_run_count = 2 * st.session_state.get("runs", 0)

    class FakeWorker:
        def stop(self) -> None:
            st.session_state["stopped"] = st.session_state.get("stopped", 0) + 1

    c.get_this_session_info = lambda: LaggingSessionInfo()  # type: ignore[assignment,return-value]
    if st.session_state.get("use_fix"):
        webrtc_fix.install()
    ctx = c._get_or_create_context("cam")
    if ctx._get_worker() is None:
        worker = FakeWorker()
        st.session_state["worker"] = worker  # the context holds only a weak reference
        ctx._set_worker(worker)  # type: ignore[arg-type]
        st.session_state["workers_created"] = st.session_state.get("workers_created", 0) + 1
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    webrtc_fix.mark_run_completed(st.session_state)


@pytest.fixture
def restore_webrtc():
    saved = (webrtc_component.get_this_session_info, webrtc_component.get_script_run_count)
    yield
    webrtc_component.get_this_session_info, webrtc_component.get_script_run_count = saved


def _run(use_fix: bool, runs: int) -> AppTest:
    at = AppTest.from_function(_script)
    at.session_state["use_fix"] = use_fix
    for _ in range(runs):
        at.run()
        assert not at.exception
    return at


def test_lagging_counter_resets_the_camera_without_the_fix(restore_webrtc):
    at = _run(use_fix=False, runs=4)
    assert at.session_state["stopped"] >= 1  # the failure mode this fix exists for
    assert at.session_state["workers_created"] > 1


def test_fix_keeps_the_camera_across_reruns(restore_webrtc):
    at = _run(use_fix=True, runs=6)
    assert "stopped" not in at.session_state
    assert at.session_state["workers_created"] == 1


def test_fix_still_resets_a_context_left_unrendered(restore_webrtc):
    """Leaving the page (runs that do not render the camera) still resets it, as upstream intends."""
    at = _run(use_fix=True, runs=2)
    state: dict[str, int] = {}
    for _ in range(2):  # two completed runs elsewhere in the app
        webrtc_fix.mark_run_completed(state)
    at.session_state[webrtc_fix.RUN_COUNT_KEY] = (
        at.session_state[webrtc_fix.RUN_COUNT_KEY] + state[webrtc_fix.RUN_COUNT_KEY]
    )
    at.run()
    assert at.session_state["stopped"] == 1
    assert at.session_state["workers_created"] == 2
