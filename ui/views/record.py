"""Record page: live webcam with skeleton and angle, live checks, auto-capture of the held peak."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from analysis.camera import camera_setup_line
from flexcheck.vocabulary import TESTS
from ui import backend, common
from ui.live_bridge import BridgeSnapshot, LiveBridge
from ui.result_view import render_result

BRIDGE_KEY = "record_bridge"
BRIDGE_CFG_KEY = "record_bridge_cfg"
RESULT_KEY = "record_result"
POLL_S = 0.2

CHECK_LABELS = {
    "knee_straight": "Knee straight",
    "side_on": "Side-on to the camera",
    "in_frame": "Whole body in frame",
    "other_leg_flat": "Other leg flat",
}

GUIDANCE = {
    "slr": """
1. Put the camera **at hip height, 2–3 m away**, looking at your side.
2. **Lie on your back side-on** to the camera, head to one side, whole body in the picture.
3. Keep **both knees straight**. Raise the **leg nearest the camera** slowly as far as is comfortable,
   **hold for 2 seconds**, lower it. The other leg stays flat on the floor.
4. The best held peak is captured automatically.
""",
    "sit-reach": """
1. Put the camera **at hip height, 2–3 m away**, looking at your side.
2. **Sit side-on** to the camera with legs straight, soles against a box or wall.
3. Reach forward slowly with both hands along the legs, **hold the furthest reach for 2 seconds**.
4. The best held reach is captured automatically.
""",
}


def _bridge(test: str, side: str, height_cm: float | None) -> LiveBridge:
    """One bridge per session and settings; a new one when the test/side/height changes."""
    cfg = (test, side, height_cm)
    old = st.session_state.get(BRIDGE_KEY)
    if old is not None and st.session_state.get(BRIDGE_CFG_KEY) == cfg:
        return old
    if old is not None:
        old.close()
    bridge = LiveBridge(lambda: backend.make_live_engine(test, side, height_cm))
    bridge.warm_up()
    st.session_state[BRIDGE_KEY] = bridge
    st.session_state[BRIDGE_CFG_KEY] = cfg
    return bridge


def _render_status(snap: BridgeSnapshot, test: str) -> None:
    s = snap.status
    st.caption(
        f"frames received {snap.frames_in}, analysed {snap.frames_analysed}, "
        f"skipped to keep up {snap.frames_dropped}"
    )
    if snap.error:
        st.error(f"Live analysis problem: {snap.error}")
    if s is None:
        st.info("Waiting for the camera…")
        return
    if not s.person_found:
        st.warning("No person found: step back so your whole body is in the picture.")
    elif s.peak_deg is None and s.camera_yaw_deg is not None:
        st.info(camera_setup_line(s.camera_yaw_deg))
    cols = st.columns(3)
    angle = "—" if s.angle_deg is None else f"{s.angle_deg:.0f}°"
    label = "Leg angle now" if test == "slr" else "Hip angle now"
    cols[0].metric(label, angle)
    if test == "sit-reach":
        cols[1].metric("Reach now", "—" if s.reach_cm is None else f"{s.reach_cm:+.0f} cm")
    else:
        cols[1].metric("Side", s.side or "—")
    peak = "—" if s.peak_deg is None else f"{s.peak_deg:.0f}° held {s.peak_held_s:.1f} s"
    cols[2].metric("Best held peak", peak)
    marks = []
    for code, label_text in CHECK_LABELS.items():
        if code not in s.checks:
            continue
        ok = s.checks[code]
        if ok is None:
            marks.append(f":gray[:material/hourglass_empty: {label_text}]")
        elif ok:
            marks.append(f":green[:material/check_circle: {label_text}]")
        else:
            marks.append(f":red[:material/cancel: {label_text}]")
    if marks:
        st.markdown(" &nbsp;&nbsp; ".join(marks))


def _live_loop(ctx: Any, bridge: LiveBridge, test: str, box: DeltaGenerator) -> None:
    """Refresh the status while the camera plays; stop at the first captured peak."""
    while ctx.state.playing:
        snap = bridge.snapshot()
        with box.container():
            _render_status(snap, test)
        if snap.status is not None and snap.status.captured:
            result = bridge.result()
            if result is not None and result.valid:
                st.session_state[RESULT_KEY] = result
                st.rerun()
        time.sleep(POLL_S)


def page() -> None:
    st.title("Record with the webcam")
    person = common.selected_person()
    if person is None:
        st.info("Choose or create a person on the **Profile** page first; the result is scored for them.")
    c1, c2 = st.columns(2)
    test = c1.radio("Test", list(TESTS), format_func=backend.test_label, horizontal=True, key="record_test")
    side = c2.radio("Leg", ["auto", "left", "right"], horizontal=True, key="record_side")
    slr_mode = common.slr_mode_choice(test, key="record_slr_mode")
    with st.expander("How to set up", expanded=RESULT_KEY not in st.session_state):
        st.markdown(GUIDANCE[test])
    height_cm = person.height_cm if person else None
    bridge = _bridge(test, side, height_cm)
    captured = st.session_state.get(RESULT_KEY)
    ctx = webrtc_streamer(
        key="record",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": []},  # local only: host candidates, no STUN/TURN
        media_stream_constraints={"video": True, "audio": False},
        queued_video_frames_callback=bridge.on_frames_async,
        async_processing=True,
        desired_playing_state=False if captured is not None else None,
    )
    if captured is not None:
        st.success("Peak captured. The camera stopped; here is the analysis of the recording.")
        if st.button("Measure again", key="record_again"):
            del st.session_state[RESULT_KEY]
            bridge.reset()
            st.rerun()
        render_result(
            captured, person, source="webcam", key="record", slr_mode=slr_mode
        )  # ends with the disclaimer
        return
    box = st.empty()  # live status goes above the disclaimer
    common.not_a_diagnosis()
    if ctx.state.playing:
        _live_loop(ctx, bridge, test, box)
    else:
        bridge.reset()
        st.caption("Press **START** and allow the camera. Nothing leaves this computer.")
