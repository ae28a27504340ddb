"""A deterministic run counter for streamlit-webrtc's stale-context detection.

streamlit-webrtc (>= 0.72) resets a webcam context when the script ran more than once without
rendering it (the user left the page and came back). It reads Streamlit's
`SessionInfo.script_run_count`, which the server increments on its event loop when it *sends* the
"script finished" message, i.e. asynchronously to the script thread. When a rerun starts before that
message went out, one run reads a stale count and the next run sees a jump of two, so a live
connection is torn down ("Context for key=... was not rendered for 1 script runs; resetting stale
state"): about one start in seven here.

The fix keeps the feature but feeds it a counter the script thread owns: the number of runs of this
session that finished normally, incremented by `app.py` at the very end of a run. A run interrupted
by a rerun never reaches that line, matching Streamlit's own "finished successfully" semantics, but
without the race.
"""

from __future__ import annotations

from typing import Any, Protocol

import streamlit as st
import streamlit_webrtc.component as webrtc_component

RUN_COUNT_KEY = "_flexcheck_completed_runs"


class StateLike(Protocol):
    """st.session_state, or a dict in tests."""

    def get(self, key: str, default: Any, /) -> Any: ...

    def __setitem__(self, key: str, value: Any, /) -> None: ...


def completed_runs(state: StateLike) -> int:
    return int(state.get(RUN_COUNT_KEY, 0))


def mark_run_completed(state: StateLike) -> None:
    """Call as the last statement of a script run."""
    state[RUN_COUNT_KEY] = completed_runs(state) + 1


def _script_run_count(_session_info: object) -> int:
    # Called by streamlit-webrtc on the script thread, where st.session_state is this session's.
    return completed_runs(st.session_state)


def install() -> None:
    """Route streamlit-webrtc's run counter to `completed_runs` (idempotent)."""
    webrtc_component.get_script_run_count = _script_run_count  # type: ignore[assignment]
