"""Accuracy regression: the engine on sample_videos/ must not get worse than the stored thresholds
(benchmarks/accuracy_thresholds.json), which are never looser than the product targets for the
side-on clips. The scoring itself is tested first, on constructed results, without the model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analysis.result import AnalysisResult, Check, MeasureSeries, VideoInfo
from benchmarks import accuracy as acc
from tests.clip_analyses import engine_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
THRESHOLDS = json.loads((ROOT / "benchmarks" / "accuracy_thresholds.json").read_text())
TARGETS = THRESHOLDS["product_targets"]


# -- the scoring, on constructed results ---------------------------------------------------------


def _truth(test: str = "slr") -> acc.Truth:
    t = np.arange(90) / 30.0
    angle = 70.0 * np.sin(np.pi * t / t[-1])  # 0 -> 70 -> 0 deg
    return acc.Truth(
        name="clip",
        test=test,
        side="left",
        height_cm=170.0,
        t_s=t,
        angle_deg=angle,
        knee_flexion_deg=np.zeros_like(t),
        reach_cm=(angle / 10.0 - 3.0) if test == "sit-reach" else None,
        peak_angle_deg=float(angle.max()),
        peak_reach_cm=float((angle / 10.0 - 3.0).max()) if test == "sit-reach" else None,
        expected_checks=("knee_bent",),
    )


def _result(
    truth: acc.Truth, offset_deg: float, side: str, codes: tuple[str, ...], nan_from: int = 90
) -> AnalysisResult:
    # The engine's own clock: shifted by a few ms, as decoded timestamps are.
    t = truth.t_s + 0.004
    angle = truth.angle_deg + offset_deg
    angle[nan_from:] = np.nan
    reach = None if truth.reach_cm is None else truth.reach_cm + 1.0
    series = MeasureSeries(t, angle, np.full_like(t, 2.0), reach)
    return AnalysisResult(
        test=truth.test,  # type: ignore[arg-type]
        side=side,  # type: ignore[arg-type]
        video=VideoInfo(30.0, len(t), 3.0, 960, 540, 0),
        series=series,
        reps=[],
        valid=True,
        angle_deg=float(np.nanmax(angle)) if truth.test == "slr" else float(np.nanmin(angle)),
        reach_cm=None if reach is None else float(np.nanmax(reach)),
        peak_s=1.5,
        checks=[Check(c, "error", c) for c in codes],
    )


def test_score_of_a_perfect_result_is_zero() -> None:
    truth = _truth()
    s = acc.score_synthetic(truth, _result(truth, 0.0, "left", ("knee_bent",)))
    assert s.peak_error_deg == pytest.approx(0.0, abs=1e-9)
    assert s.mae_deg == pytest.approx(0.0, abs=1e-9)
    assert s.max_error_deg == pytest.approx(0.0, abs=1e-9)
    assert s.frames_matched == 90
    assert s.side_ok and s.checks_ok and not s.missing_checks


def test_score_measures_offsets_side_checks_and_hard_frames() -> None:
    truth = _truth()
    s = acc.score_synthetic(truth, _result(truth, 2.5, "right", ("out_of_frame",), nan_from=60))
    assert s.peak_error_deg == pytest.approx(2.5)
    assert s.mae_deg == pytest.approx(2.5)
    assert s.frames_matched == 60  # NaN frames of the engine are left out
    assert s.mae_ge20_deg == pytest.approx(2.5)
    assert s.knee_mae_deg == pytest.approx(2.0)
    assert s.side_ok is False
    assert s.checks_ok is False and s.missing_checks == ("knee_bent",)


def test_score_sit_reach_reach_error() -> None:
    truth = _truth("sit-reach")
    s = acc.score_synthetic(truth, _result(truth, -1.0, "left", ("knee_bent",)))
    assert s.reach_peak_error_cm == pytest.approx(1.0)
    assert s.reach_mae_cm == pytest.approx(1.0)
    assert math.isnan(s.mae_ge20_deg)  # only for SLR


def test_other_sidecar_layouts_are_handled(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"test": "other"}))
    (tmp_path / "b.json").write_text("{not json")
    real = {"test": "slr", "side": "left (near leg)", "annotation": {"peak": {"t_s": 2.5, "slr_between_legs_2d_deg": 90.6},
            "uncertainty": "+-8 deg (oblique)"}}  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(real))
    assert "not slr/sit-reach" in str(acc.load_sidecar(tmp_path / "a.json"))
    assert "unreadable" in str(acc.load_sidecar(tmp_path / "b.json"))
    r = acc.load_sidecar(tmp_path / "c.json")
    assert isinstance(r, acc.RealTruth)
    assert (r.peak_angle_deg, r.uncertainty_deg, r.side) == (90.6, 8.0, "left")


def test_hip_points_offsets_are_in_the_body_frame() -> None:
    """benchmarks/hip_points.py's offsets, hand-computed: thigh along +x (10 px), trunk up (-y in the image)."""
    from benchmarks.hip_points import body_frame_offsets

    def px(x: float, y: float) -> np.ndarray:
        return np.array([[x, y]])

    off = body_frame_offsets(
        mp_sh=px(0, -10),
        mp_hip=px(0, 0),
        mp_knee=px(10, 0),
        t_sh=px(2, -10),
        t_hip=px(-1, 0.5),
        t_knee=px(10, 1),
    )
    # hip 1 px toward the knee and 0.5 px up (toward the trunk); shoulder 2 px back (away from the legs);
    # knee 1 px up; all over the 10 px thigh.
    assert off["hip_u"][0] == pytest.approx(0.1)
    assert off["hip_v"][0] == pytest.approx(0.05)
    assert off["sh_fwd"][0] == pytest.approx(-0.2)
    assert off["knee_v"][0] == pytest.approx(0.1)


def test_thresholds_are_never_looser_than_the_product_targets() -> None:
    for name, th in THRESHOLDS["clips"].items():
        if name in THRESHOLDS["exempt_from_targets"]:
            assert THRESHOLDS["exempt_from_targets"][name], "an exemption needs its reason"
            continue
        key = "sit-reach" if name.startswith("sitreach") else "slr"
        for metric, target in TARGETS[key].items():
            assert th[metric] <= target, (name, metric)


# -- the engine on the sample set ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scores() -> dict[str, acc.ClipScore]:
    return {s.name: s for s in acc.evaluate_folders([SAMPLES], analyze=engine_run)}


@pytest.mark.slow
def test_every_sample_clip_is_scored(scores: dict[str, acc.ClipScore]) -> None:
    assert set(scores) == set(THRESHOLDS["clips"])
    assert all(s.kind == "synthetic" for s in scores.values()), [s.note for s in scores.values() if s.note]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(THRESHOLDS["clips"]))
def test_clip_not_worse_than_threshold(scores: dict[str, acc.ClipScore], name: str) -> None:
    s, th = scores[name], THRESHOLDS["clips"][name]
    assert abs(s.peak_error_deg) <= th["peak_abs_error_deg"], s
    assert s.mae_deg <= th["mae_deg"], s
    if "mae_ge20_deg" in th:
        assert s.mae_ge20_deg <= th["mae_ge20_deg"], s
    if "reach_peak_abs_error_cm" in th:
        assert abs(s.reach_peak_error_cm) <= th["reach_peak_abs_error_cm"], s
    assert s.side_ok, s
    assert s.checks_ok, s


@pytest.mark.slow
def test_overall_not_worse_than_threshold(scores: dict[str, acc.ClipScore]) -> None:
    measured = acc.overall(list(scores.values()))
    for group, limits in THRESHOLDS["overall"].items():
        for metric, limit in limits.items():
            assert measured[group][metric] <= limit, (group, metric, measured[group][metric])


# -- oblique cameras: the check set (tests/clips/camera, rendered by synth/camera_sets.py) ------------

CAMERA_CLIPS = ROOT / "tests" / "clips" / "camera"
CAMERA = THRESHOLDS["camera_set"]


def test_camera_thresholds_are_never_looser_than_the_issue_targets() -> None:
    """The issue's targets: SLR up to 30 deg, sit-and-reach up to 25 (the clips that miss them are listed
    in known_misses with the reason, docs/MEASURES.md)."""
    t = CAMERA["targets"]
    assert t["slr_max_abs_peak_error_deg"] <= 3.0 and t["slr_correct_up_to_yaw_deg"] >= 30
    assert t["sit_reach_correct_up_to_yaw_deg"] >= 25
    assert t["sit_reach_max_abs_hip_error_deg"] <= 3.0 and t["sit_reach_max_abs_reach_error_cm"] <= 2.0
    assert t["never_valid_off_by_more_than_deg"] <= 4.0
    assert t["min_coverage"] >= 0.9 and t["max_median_width_deg"] <= 4.0


@pytest.fixture(scope="module")
def camera_scores() -> list[acc.ClipScore]:
    return acc.evaluate_folders([CAMERA_CLIPS])


@pytest.mark.slow
def test_camera_set_is_complete(camera_scores: list[acc.ClipScore]) -> None:
    assert len(camera_scores) == len(list(CAMERA_CLIPS.glob("*.mp4"))) >= 12
    assert all(s.kind == "synthetic" for s in camera_scores), [s.note for s in camera_scores]
    yaws = {round(s.yaw_true_deg) for s in camera_scores}
    assert set(CAMERA["rendered_yaws_deg"]) <= yaws


@pytest.mark.slow
def test_camera_set_per_yaw_targets(camera_scores: list[acc.ClipScore]) -> None:
    """The issue's targets, clip by clip: within reach of the correction a valid, accurate number; beyond
    it a correct number or not_side_on; and never a confidently wrong valid result."""
    t = CAMERA["targets"]
    known = CAMERA["known_misses"]  # clip -> why it misses a target today; still never confidently wrong
    for s in camera_scores:
        yaw = abs(s.yaw_true_deg)
        if s.name in known:
            assert known[s.name], "a known miss needs its reason"
            assert not s.valid or abs(s.peak_error_deg) <= t["never_valid_off_by_more_than_deg"], s
            continue
        limit_yaw = (
            t["slr_correct_up_to_yaw_deg"] if s.test == "slr" else t["sit_reach_correct_up_to_yaw_deg"]
        )
        if s.valid:
            assert abs(s.peak_error_deg) <= t["never_valid_off_by_more_than_deg"], s
        if yaw <= limit_yaw:
            assert s.valid, s
            if s.test == "slr":
                assert abs(s.peak_error_deg) <= t["slr_max_abs_peak_error_deg"], s
            else:
                assert abs(s.peak_error_deg) <= t["sit_reach_max_abs_hip_error_deg"], s
                assert abs(s.reach_peak_error_cm) <= t["sit_reach_max_abs_reach_error_cm"], s
        elif yaw >= 40:
            ok = s.not_side_on_error or abs(s.peak_error_deg) <= t["slr_max_abs_peak_error_deg"]
            assert ok, s
        else:  # between what is corrected and 40 deg: an accurate-enough number or a clear refusal
            assert s.valid or s.not_side_on_error, s


@pytest.mark.slow
def test_camera_set_not_worse_than_measured(camera_scores: list[acc.ClipScore]) -> None:
    """Per (test, yaw) group: the largest peak error of the valid results, held to its measured value."""
    limits = {(r["test"], r["yaw_deg"]): r for r in CAMERA["per_yaw"]}
    for row in acc.per_yaw_rows(camera_scores):
        lim = limits[(row["test"], row["yaw_deg"])]
        assert row["valid"] >= lim["min_valid"], row
        if not math.isnan(row["max_abs_peak_error_deg"]):
            assert row["max_abs_peak_error_deg"] <= lim["max_abs_peak_error_deg"], row


@pytest.mark.slow
def test_camera_set_uncertainty_is_calibrated(camera_scores: list[acc.ClipScore]) -> None:
    """The stated 90% intervals hold the truth for >= 90% of the valid results, and are not blanket ones."""
    t = CAMERA["targets"]
    # test -> the measured calibration of a group that misses the targets today, with the reason
    known = CAMERA.get("calibration_known_misses", {})
    rows = {r["group"]: r for r in acc.calibration_rows(camera_scores)}
    for test in ("slr", "sit-reach"):
        r = rows.get(f"{test} all")
        if r is None or r["n"] < t["min_valid_for_coverage"]:  # too few valid results to judge a 90% rate
            continue
        miss = known.get(test)
        if miss is not None:  # held at what was measured: never worse
            assert miss["why"], "a known calibration miss needs its reason"
            assert r["coverage"] >= miss["coverage"] and r["median_width_deg"] <= miss["median_width_deg"], r
            continue
        assert r["coverage"] >= t["min_coverage"], r
        assert r["median_width_deg"] <= t["max_median_width_deg"], r
    reach = rows.get("sit-reach all")
    if reach is not None and reach["reach_n"] >= t["min_valid_for_coverage"]:
        miss = known.get("sit-reach")
        if miss is not None and "reach_coverage" in miss:  # the reach's own known miss, if it has one
            assert reach["reach_coverage"] >= miss["reach_coverage"], reach
            assert reach["reach_median_width_cm"] <= miss["reach_median_width_cm"], reach
        else:
            assert reach["reach_coverage"] >= t["min_coverage"], reach
            assert reach["reach_median_width_cm"] <= t["max_median_reach_width_cm"], reach
