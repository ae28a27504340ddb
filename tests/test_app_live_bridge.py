"""The webcam hand-over with the real live analyzer, fed the frames of a sample clip."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from ui.live_bridge import LiveBridge

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_videos" / "slr_left_near_slim_f.mp4"


def _frames(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as c:
        return [f for f in c.decode(video=0)]


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample clip not rendered yet")
def test_newest_frame_is_analysed_and_stale_ones_are_skipped():
    from analysis.live import LiveAnalyzer

    truth = json.loads(SAMPLE.with_suffix(".json").read_text())["peak"]["angle_deg"]
    bridge = LiveBridge(lambda: LiveAnalyzer("slr"))
    frames = _frames(SAMPLE)
    try:
        outputs: list[av.VideoFrame] = []
        pushed: list[av.VideoFrame] = []
        for i in range(0, len(frames) - 2, 3):  # three frames queued per call: a slow consumer
            batch = frames[i : i + 3]
            out = bridge.on_frames(batch)
            # Pipelined over two trackers: a call gives back the frame pushed by the call before, drawn
            # (nothing on the first call); the two stale frames of each call are dropped.
            if not pushed:
                assert out == []
            else:
                assert len(out) == 1 and out[0].pts == pushed[-1].pts
                outputs.append(out[0])
            pushed.append(batch[-1])
        snap = bridge.snapshot()
        assert snap.error is None
        assert snap.frames_analysed == len(outputs) == len(pushed) - 1
        assert snap.frames_dropped == snap.frames_in - len(pushed) == 2 * len(pushed)
        # The returned frame carries the overlay: it differs from the camera frame it was drawn on.
        k = len(outputs) // 2
        raw = pushed[k].to_ndarray(format="rgb24")
        drawn = outputs[k].to_ndarray(format="rgb24")
        assert drawn.shape == raw.shape and np.mean(np.abs(drawn.astype(int) - raw.astype(int))) > 0.5
        result = bridge.result()
        assert result is not None and result.valid and result.angle_deg is not None
        assert abs(result.angle_deg - truth) <= 5.0, (result.angle_deg, truth)
        bridge.reset()
        assert bridge.snapshot().frames_in == 0 and bridge.result() is None
    finally:
        bridge.close()
    # After close the model is gone and frames pass through untouched.
    out = bridge.on_frames([frames[0]])
    assert out == [frames[0]]


def test_engine_failure_is_reported_in_one_line_and_video_keeps_flowing():
    def broken():
        raise RuntimeError("pose model file is missing")

    bridge = LiveBridge(broken)
    frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), dtype=np.uint8), format="rgb24")
    assert bridge.on_frames([frame]) == [frame]
    snap = bridge.snapshot()
    assert snap.error == "pose model file is missing" and snap.frames_in == 1 and snap.status is None
