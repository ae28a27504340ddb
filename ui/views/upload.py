"""Upload page: drop a video, pick the test and leg, watch the progress, read the result."""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from flexcheck.vocabulary import TESTS
from ui import backend, common
from ui.result_view import render_result

if TYPE_CHECKING:
    from analysis.result import AnalysisResult

RESULT_KEY = "upload_result"  # (uploaded file id, result, annotated path)
VIDEO_TYPES = "MP4, MOV, M4V, WEBM, AVI or MKV"


def _work_dir() -> Path:
    base = Path(backend.settings().data_dir) / "annotated"
    base.mkdir(parents=True, exist_ok=True)
    return base


def _safe_name(name: str) -> str:
    """The uploaded file's own name, reduced to characters that are safe in a path."""
    base = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "video"
    return base[:120]


def _markdown_literal(text: str) -> str:
    """A file name shown as typed: no emphasis from underscores, no maths from dollar signs."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~<>$])", r"\\\1", text)


def _size_text(n_bytes: int) -> str:
    """The size as the uploader widget just above prints it (decimal units, one decimal), so the page
    states one file one way. Not vision.video_io's size text: that one states the engine's size limit,
    which is set in binary megabytes."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes:.1f} B"


def _analyse(
    data: bytes, name: str, test: str, side: str, height_cm: float | None
) -> tuple[AnalysisResult, Path | None]:
    bar = st.progress(0.0, text="Analysing… 0 %")
    try:
        return _run(bar, data, name, test, side, height_cm)
    finally:
        bar.empty()


def _run(
    bar: DeltaGenerator, data: bytes, name: str, test: str, side: str, height_cm: float | None
) -> tuple[AnalysisResult, Path | None]:

    def progress(x: float) -> None:
        x = min(max(float(x), 0.0), 1.0)
        bar.progress(x, text=f"Analysing… {100 * x:.0f} %")

    annotated = _work_dir() / f"{uuid.uuid4().hex}.mp4"
    with tempfile.TemporaryDirectory(prefix="flexcheck-upload-") as tmp:
        src = Path(tmp) / _safe_name(name)  # the engine's messages name the file as the person knows it
        src.write_bytes(data)
        result = backend.analyze_file(src, test, side, height_cm, annotated, progress)
    return result, annotated if annotated.exists() else None


def page() -> None:
    st.title("Analyse a video")
    person = common.selected_person()
    if person is None:
        st.info("Tip: choose a person on the **Profile** page first so the result can be scored and saved.")
    st.markdown(
        "Film **side-on, camera at hip height**, whole body in the picture. "
        "For the straight-leg raise keep both knees straight and hold the top for 2 seconds."
    )
    upload = st.file_uploader(f"Video file ({VIDEO_TYPES})", key="upload_file")
    c1, c2 = st.columns(2)
    test = c1.radio("Test", list(TESTS), format_func=backend.test_label, horizontal=True, key="upload_test")
    side = c2.radio("Leg", ["auto", "left", "right"], horizontal=True, key="upload_side")
    slr_mode = common.slr_mode_choice(test, key="upload_slr_mode")
    if upload is None:
        st.session_state.pop(RESULT_KEY, None)
    else:
        # Said by the server, so it shows only once the whole file has arrived (the uploader's own
        # label appears while the bytes are still on their way).
        st.caption(f"Ready to analyse: {_markdown_literal(upload.name)} ({_size_text(upload.size)})")
        if st.button("Analyse", type="primary", key="upload_go"):
            st.session_state.pop(RESULT_KEY, None)
            height_cm = person.height_cm if person else None
            with common.shown_errors("Could not analyse this video"):
                result, annotated = _analyse(upload.getvalue(), upload.name, test, side, height_cm)
                st.session_state[RESULT_KEY] = (upload.file_id, result, annotated)
    stored = st.session_state.get(RESULT_KEY)
    if stored is not None and upload is not None and stored[0] == upload.file_id:
        # only the result of the file now in the uploader: a replaced file's result would be misread
        _, result, annotated = stored
        render_result(
            result, person, source="upload", key="upload", annotated_path=annotated, slr_mode=slr_mode
        )
    else:
        common.not_a_diagnosis()
