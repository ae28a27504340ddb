"""Fast checks of the committed sample set: every clip has a valid ground-truth sidecar, the set
covers the conditions it promises, the files are small and their headers match the sidecars."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import av
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
CLIPS = sorted(SAMPLES.glob("*.mp4"))

TOP_KEYS = {"test", "fps", "width", "height", "rotation_deg", "side", "height_cm", "frames", "peak", "reps",
            "expected_checks", "conditions"}  # fmt: skip
FRAME_KEYS = {
    "slr": {"t_s", "slr_between_legs_deg", "slr_floor_deg", "knee_flexion_deg"},
    "sit-reach": {"t_s", "hip_angle_deg", "knee_flexion_deg", "reach_cm"},
}
MAX_CLIP_BYTES = 1_500_000
MAX_TOTAL_BYTES = 10_000_000


def _sidecar(clip: Path) -> dict[str, Any]:
    return json.loads(clip.with_suffix(".json").read_text())


def test_sample_set_exists_and_is_small() -> None:
    assert len(CLIPS) >= 10
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"sample_videos/ is {total / 1e6:.1f} MB"
    for clip in CLIPS:
        assert clip.stat().st_size < MAX_CLIP_BYTES, clip.name
        assert clip.with_suffix(".json").exists(), f"{clip.name} has no sidecar"
    orphans = [j.name for j in SAMPLES.glob("*.json") if not j.with_suffix(".mp4").exists()]
    assert not orphans


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_sidecar_layout(clip: Path) -> None:
    d = _sidecar(clip)
    assert set(d) >= TOP_KEYS, TOP_KEYS - set(d)
    assert d["test"] in FRAME_KEYS
    assert d["side"] in ("left", "right")
    assert d["rotation_deg"] in (0, 90, 180, 270)
    assert 140 <= d["height_cm"] <= 210
    assert isinstance(d["reps"], int) and d["reps"] >= 1
    frames = d["frames"]
    assert len(frames) == pytest.approx(d["fps"] * frames[-1]["t_s"] + 1, abs=1)
    wanted = FRAME_KEYS[d["test"]]
    for f in frames:
        assert set(f) == wanted, set(f) ^ wanted
        assert all(math.isfinite(v) for v in f.values())
    times = [f["t_s"] for f in frames]
    assert times == sorted(times) and times[0] == 0.0
    assert 5.0 <= times[-1] + 1 / d["fps"] <= 10.5


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_peak_matches_frames_and_is_realistic(clip: Path) -> None:
    d = _sidecar(clip)
    frames, peak = d["frames"], d["peak"]
    if d["test"] == "slr":
        angles = [f["slr_between_legs_deg"] for f in frames]
        assert peak["angle_deg"] == max(angles)
        assert 50 <= peak["angle_deg"] <= 95
        assert angles[0] < 5 and angles[-1] < 5, "the raise starts and ends with the leg down"
        assert "reach_cm" not in peak
    else:
        hips = [f["hip_angle_deg"] for f in frames]
        assert peak["angle_deg"] == min(hips)
        assert 80 <= hips[0] <= 100, "starts sitting upright"
        assert peak["reach_cm"] == max(f["reach_cm"] for f in frames)
        assert max(f["knee_flexion_deg"] for f in frames) < 5, "legs stay straight"
    at_peak = next(f for f in frames if f["t_s"] == peak["t_s"])
    bent = at_peak["knee_flexion_deg"] > 15
    assert bent == ("knee_bent" in d["expected_checks"])


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_container_matches_sidecar(clip: Path) -> None:
    d = _sidecar(clip)
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        rate = stream.average_rate
        assert rate is not None and float(rate) == pytest.approx(d["fps"], rel=1e-3)
        frame = next(container.decode(stream))
        # PyAV reports the counter-clockwise turn that makes the stored frame upright; the sidecar the clockwise one.
        assert (360 - int(frame.rotation)) % 360 == d["rotation_deg"]
        stored = (frame.width, frame.height)
    upright = stored if d["rotation_deg"] in (0, 180) else stored[::-1]
    assert upright == (d["width"], d["height"])


def test_set_covers_the_promised_conditions() -> None:
    sidecars = [_sidecar(c) for c in CLIPS]
    slr = [d for d in sidecars if d["test"] == "slr"]
    sit = [d for d in sidecars if d["test"] == "sit-reach"]
    assert {d["side"] for d in slr} == {"left", "right"}
    assert {d["conditions"]["raised_leg_is_near"] for d in slr} == {True, False}
    assert any(abs(d["conditions"]["camera_yaw_deg"]) >= 20 for d in slr)
    assert any("knee_bent" in d["expected_checks"] for d in slr)
    assert any(d["reps"] >= 2 for d in slr)
    assert any(d["rotation_deg"] in (90, 270) for d in sidecars)
    assert len(sit) >= 2 and len({d["side"] for d in sit}) == 2
    reaches = [d["peak"]["reach_cm"] for d in sit]
    assert max(reaches) > 0 > min(reaches), "one reach past the toes, one short of them"
    genders = {d["conditions"]["body"]["gender"] for d in sidecars}
    assert genders == {0.0, 1.0}
