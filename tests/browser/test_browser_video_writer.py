"""The H.264 writer's output plays in Chromium (OpenCV's mp4v would not)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.media_factory import frame_level
from vision.video_io import H264Writer


def test_writer_output_plays_in_chromium(tmp_path: Path, launch_browser: Any) -> None:
    out = tmp_path / "clip.mp4"
    with H264Writer(out, fps=30.0, width=321, height=181) as w:  # odd size: cropped to even
        for i in range(60):
            w.write(np.full((181, 321, 3), frame_level(i), np.uint8))
    page_path = tmp_path / "index.html"
    page_path.write_text('<video id="v" src="clip.mp4" muted playsinline></video>')
    page = launch_browser()
    page.goto(page_path.as_uri())
    page.wait_for_function("document.getElementById('v').readyState >= 2", timeout=20000)
    size = page.evaluate(
        "[document.getElementById('v').videoWidth, document.getElementById('v').videoHeight]"
    )
    assert size == [320, 180]
    assert page.evaluate("document.getElementById('v').duration") == pytest.approx(2.0, abs=0.05)
    page.evaluate("document.getElementById('v').play()")
    page.wait_for_function("document.getElementById('v').currentTime > 0.5", timeout=20000)
    assert page.evaluate("document.getElementById('v').error") is None
