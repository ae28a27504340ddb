"""Accuracy of the engine against per-frame ground truth.

    python benchmarks/accuracy.py [FOLDER ...] [--json OUT]

Runs `analysis.pipeline.analyze_video` on every `<clip>.mp4` + `<clip>.json` pair in each folder
(default: sample_videos/) and prints, per clip and overall: peak error, per-frame MAE (all frames,
and for SLR only frames whose true angle is >= 20 deg: the first 5-20 deg of a raise are known to be
hard), max error, reach errors, whether the side was detected and whether the expected checks were
raised. Errors are engine minus truth (deg, cm).

Sidecars in the synthetic layout (see synth/README.md) are scored in full. Real clips with hand
annotations (the layout of /work/shared/real_clips) are scored at their annotated peak only and
reported as plausibility against the stated annotation uncertainty; other sidecars are skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `python benchmarks/accuracy.py` from anywhere
    sys.path.insert(0, str(ROOT))

from analysis.result import AnalysisResult  # noqa: E402
from flexcheck.vocabulary import SIDES  # noqa: E402

DEFAULT_FOLDER = ROOT / "sample_videos"
HARD_START_DEG = 20.0  # SLR frames below this true angle are reported separately
ANGLE_KEY = {"slr": "slr_between_legs_deg", "sit-reach": "hip_angle_deg"}
SYNTH_KEYS = ("test", "fps", "width", "height", "rotation_deg", "side", "height_cm", "frames", "peak")


@dataclass(frozen=True)
class Truth:
    """The synthetic sidecar, reduced to what the scoring needs."""

    name: str
    test: str
    side: str
    height_cm: float | None
    t_s: np.ndarray
    angle_deg: np.ndarray
    knee_flexion_deg: np.ndarray
    reach_cm: np.ndarray | None
    peak_angle_deg: float
    peak_reach_cm: float | None
    expected_checks: tuple[str, ...]
    conditions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RealTruth:
    """A real clip's hand annotation at its peak (2D, uncertain)."""

    name: str
    test: str
    side: str | None
    peak_angle_deg: float | None
    peak_reach_cm: float | None
    uncertainty_deg: float | None
    height_cm: float | None = None


@dataclass(frozen=True)
class ClipScore:
    name: str
    test: str
    kind: str  # "synthetic" | "real" | "skipped" | "failed"
    peak_error_deg: float = math.nan
    mae_deg: float = math.nan
    mae_ge20_deg: float = math.nan  # SLR: frames with true angle >= 20 deg
    max_error_deg: float = math.nan
    knee_mae_deg: float = math.nan
    reach_peak_error_cm: float = math.nan
    reach_mae_cm: float = math.nan
    frames_matched: int = 0
    side_ok: bool | None = None
    checks_ok: bool | None = None
    missing_checks: tuple[str, ...] = ()
    note: str = ""
    # Camera and the stated uncertainty (synthetic clips)
    valid: bool | None = None
    not_side_on_error: bool = False
    yaw_true_deg: float = math.nan
    pitch_true_deg: float = math.nan
    yaw_est_deg: float = math.nan
    pitch_est_deg: float = math.nan
    yaw_static_deg: float = math.nan
    yaw_swing_deg: float = math.nan
    corrected: bool = False
    uncertainty_deg: float = math.nan
    reach_uncertainty_cm: float = math.nan


# -- loading -------------------------------------------------------------------------------------


def _float(x: Any) -> float:
    return math.nan if x is None else float(x)


def load_sidecar(path: Path) -> Truth | RealTruth | str:
    """Truth from a sidecar, or a one-line note saying why the clip cannot be scored."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        return f"unreadable sidecar ({exc.__class__.__name__})"
    if not isinstance(data, dict):
        return "sidecar is not a JSON object"
    test = data.get("test")
    if test not in ANGLE_KEY:
        return f"test {test!r} is not slr/sit-reach"
    name = Path(path).stem
    if all(k in data for k in SYNTH_KEYS) and isinstance(data["frames"], list) and data["frames"]:
        return _synthetic(name, data)
    if "annotation" in data:
        return _real(name, data)
    return "unknown sidecar layout"


def _synthetic(name: str, d: dict[str, Any]) -> Truth | str:
    key = ANGLE_KEY[d["test"]]
    frames = d["frames"]
    if any(key not in f or "t_s" not in f for f in frames):
        return f"frames lack {key!r}"
    reach = np.array([_float(f.get("reach_cm")) for f in frames]) if d["test"] == "sit-reach" else None
    peak = d["peak"]
    return Truth(
        name=name,
        test=d["test"],
        side=d["side"],
        height_cm=d.get("height_cm"),
        t_s=np.array([float(f["t_s"]) for f in frames]),
        angle_deg=np.array([_float(f[key]) for f in frames]),
        knee_flexion_deg=np.array([_float(f.get("knee_flexion_deg")) for f in frames]),
        reach_cm=reach,
        peak_angle_deg=float(peak["angle_deg"]),
        peak_reach_cm=None if peak.get("reach_cm") is None else float(peak["reach_cm"]),
        expected_checks=tuple(d.get("expected_checks", ())),
        conditions=dict(d.get("conditions", {})),
    )


def _real(name: str, d: dict[str, Any]) -> RealTruth:
    ann = d.get("annotation") or {}
    peak = ann.get("peak") or {}
    angle = next((float(v) for k, v in peak.items() if k.endswith("_deg")), None)
    reach = next((float(v) for k, v in peak.items() if k.startswith("reach_cm")), None)
    m = re.search(r"\+-\s*([0-9.]+)\s*deg", str(ann.get("uncertainty", "")))
    side_text = str(d.get("side", "")).strip().lower()
    side = side_text.split()[0] if side_text.split() and side_text.split()[0] in SIDES else None
    return RealTruth(name, d["test"], side, angle, reach, float(m.group(1)) if m else None)


def find_pairs(folder: Path) -> list[tuple[Path, Path]]:
    return [
        (v, v.with_suffix(".json"))
        for v in sorted(Path(folder).glob("*.mp4"))
        if v.with_suffix(".json").exists()
    ]


# -- scoring (pure) -----------------------------------------------------------------------------


def _nearest(t_truth: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    idx = np.clip(np.searchsorted(t_truth, t_s), 1, len(t_truth) - 1)
    left_closer = np.abs(t_s - t_truth[idx - 1]) <= np.abs(t_truth[idx] - t_s)
    return np.where(left_closer, idx - 1, idx)


def _mae(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float, int]:
    ok = np.isfinite(a) & np.isfinite(b)
    if mask is not None:
        ok &= mask
    if not np.any(ok):
        return math.nan, math.nan, 0
    err = np.abs(a[ok] - b[ok])
    return float(err.mean()), float(err.max()), int(ok.sum())


def score_synthetic(truth: Truth, result: AnalysisResult) -> ClipScore:
    s = result.series
    idx = _nearest(truth.t_s, np.asarray(s.t_s, dtype=float))
    true_angle = truth.angle_deg[idx]
    est = np.asarray(s.angle_deg, dtype=float)
    mae, max_err, n = _mae(est, true_angle)
    mae20 = math.nan
    if truth.test == "slr":
        mae20, _, _ = _mae(est, true_angle, true_angle >= HARD_START_DEG)
    knee_mae, _, _ = _mae(np.asarray(s.knee_flexion_deg, dtype=float), truth.knee_flexion_deg[idx])
    reach_peak = reach_mae = math.nan
    if truth.reach_cm is not None and s.reach_cm is not None:
        reach_mae, _, _ = _mae(np.asarray(s.reach_cm, dtype=float), truth.reach_cm[idx])
        if result.reach_cm is not None and truth.peak_reach_cm is not None:
            reach_peak = float(result.reach_cm - truth.peak_reach_cm)
    codes = {c.code for c in result.checks}
    missing = tuple(c for c in truth.expected_checks if c not in codes)
    cam = result.camera
    return ClipScore(
        name=truth.name,
        test=truth.test,
        kind="synthetic",
        peak_error_deg=math.nan
        if result.angle_deg is None
        else float(result.angle_deg - truth.peak_angle_deg),
        mae_deg=mae,
        mae_ge20_deg=mae20,
        max_error_deg=max_err,
        knee_mae_deg=knee_mae,
        reach_peak_error_cm=reach_peak,
        reach_mae_cm=reach_mae,
        frames_matched=n,
        side_ok=result.side == truth.side,
        checks_ok=not missing,
        missing_checks=missing,
        note="" if result.angle_deg is not None else "no result angle",
        valid=result.valid,
        not_side_on_error=any(c.code == "not_side_on" and c.severity == "error" for c in result.checks),
        yaw_true_deg=_float(truth.conditions.get("camera_yaw_deg")),
        pitch_true_deg=_render_pitch_deg(truth),
        yaw_est_deg=math.nan if cam is None else cam.yaw_deg,
        pitch_est_deg=math.nan if cam is None else cam.pitch_deg,
        yaw_static_deg=_float(None if cam is None else cam.static_yaw_deg),
        yaw_swing_deg=_float(None if cam is None else cam.swing_yaw_deg),
        corrected=bool(cam is not None and cam.corrected),
        uncertainty_deg=_float(result.uncertainty_deg),
        reach_uncertainty_cm=_float(result.reach_uncertainty_cm),
    )


# The renderer's camera looks at a point this high above the floor (synth/render.py make_layout).
RENDER_TARGET_M = {"slr": 0.32, "sit-reach": 0.42}


def _render_pitch_deg(truth: Truth) -> float:
    c = truth.conditions
    if "camera_height_m" not in c or "camera_distance_m" not in c:
        return math.nan
    drop = float(c["camera_height_m"]) - RENDER_TARGET_M[truth.test]
    return math.degrees(math.atan2(drop, float(c["camera_distance_m"])))


def score_real(truth: RealTruth, result: AnalysisResult) -> ClipScore:
    err = math.nan
    if truth.peak_angle_deg is not None and result.angle_deg is not None:
        err = float(result.angle_deg - truth.peak_angle_deg)
    reach = math.nan
    if truth.peak_reach_cm is not None and result.reach_cm is not None:
        reach = float(result.reach_cm - truth.peak_reach_cm)
    within = (
        "?" if truth.uncertainty_deg is None or math.isnan(err) else str(abs(err) <= truth.uncertainty_deg)
    )
    unc = "?" if truth.uncertainty_deg is None else f"{truth.uncertainty_deg:g}"
    return ClipScore(
        name=truth.name,
        test=truth.test,
        kind="real",
        peak_error_deg=err,
        reach_peak_error_cm=reach,
        side_ok=None if truth.side is None else result.side == truth.side,
        note=f"real clip, 2D hand annotation +-{unc} deg: plausibility only (within: {within})",
    )


# -- running ------------------------------------------------------------------------------------

Analyzer = Callable[[Path, str, float | None], AnalysisResult]


def run_engine(
    video: Path, test: str, height_cm: float | None, model_path: Path | None = None
) -> AnalysisResult:
    from analysis.pipeline import AnalysisOptions, analyze_video

    options = AnalysisOptions(
        test=test,  # type: ignore[arg-type]
        side="auto",
        height_cm=height_cm,
        camera_cues=True,
        model_path=model_path,
    )
    return analyze_video(video, options)


def evaluate_clip(video: Path, sidecar: Path, analyze: Analyzer = run_engine) -> ClipScore:
    truth = load_sidecar(sidecar)
    if isinstance(truth, str):
        return ClipScore(video.stem, "", "skipped", note=truth)
    try:
        result = analyze(video, truth.test, truth.height_cm)
    except Exception as exc:  # one bad clip must not stop the benchmark; the row says why
        return ClipScore(video.stem, truth.test, "failed", note=f"{exc.__class__.__name__}: {exc}")
    if isinstance(truth, Truth):
        return score_synthetic(truth, result)
    return score_real(truth, result)


def evaluate_folders(folders: Iterable[Path], analyze: Analyzer = run_engine) -> list[ClipScore]:
    scores: list[ClipScore] = []
    for folder in folders:
        for video, sidecar in find_pairs(folder):
            scores.append(evaluate_clip(video, sidecar, analyze))
    return scores


def _mean_abs(values: Iterable[float]) -> float:
    arr = np.array([abs(v) for v in values if not math.isnan(v)])
    return float(arr.mean()) if arr.size else math.nan


def overall(scores: list[ClipScore]) -> dict[str, dict[str, float]]:
    """Means over the synthetic clips per test; `slr_side_on` leaves out the yawed clips."""
    out: dict[str, dict[str, float]] = {}
    groups = {
        "slr": [s for s in scores if s.kind == "synthetic" and s.test == "slr"],
        "slr_side_on": [
            s for s in scores if s.kind == "synthetic" and s.test == "slr" and "yaw" not in s.name
        ],
        "sit-reach": [s for s in scores if s.kind == "synthetic" and s.test == "sit-reach"],
    }
    for name, group in groups.items():
        if not group:
            continue
        out[name] = {
            "clips": float(len(group)),
            "peak_abs_error_deg": _mean_abs(s.peak_error_deg for s in group),
            "mae_deg": _mean_abs(s.mae_deg for s in group),
            "mae_ge20_deg": _mean_abs(s.mae_ge20_deg for s in group),
            "max_error_deg": float(np.nanmax([s.max_error_deg for s in group] + [math.nan]))
            if any(not math.isnan(s.max_error_deg) for s in group)
            else math.nan,
            "reach_peak_abs_error_cm": _mean_abs(s.reach_peak_error_cm for s in group),
            "side_ok_fraction": float(np.mean([bool(s.side_ok) for s in group])),
            "checks_ok_fraction": float(np.mean([bool(s.checks_ok) for s in group])),
        }
    return out


def _fmt(x: float | bool | None, signed: bool = True) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    return "-" if math.isnan(x) else f"{x:+.2f}" if signed else f"{x:.2f}"


def format_table(scores: list[ClipScore]) -> str:
    head = f"{'clip':38} {'test':9} {'peak':>7} {'MAE':>6} {'MAE>=20':>7} {'max':>6} {'knee':>6} {'reachPk':>7} {'reachMAE':>8} {'side':>4} {'checks':>6}  note"
    lines = [head, "-" * len(head)]
    for s in scores:
        lines.append(
            f"{s.name[:38]:38} {s.test:9} {_fmt(s.peak_error_deg):>7} {_fmt(s.mae_deg, signed=False):>6} {_fmt(s.mae_ge20_deg, signed=False):>7} "
            f"{_fmt(s.max_error_deg, signed=False):>6} {_fmt(s.knee_mae_deg, signed=False):>6} {_fmt(s.reach_peak_error_cm):>7} {_fmt(s.reach_mae_cm, signed=False):>8} "
            f"{_fmt(s.side_ok):>4} {_fmt(s.checks_ok):>6}  {s.note or ('missing ' + ','.join(s.missing_checks) if s.missing_checks else '')}"
        )
    lines.append("")
    lines.append(
        "peak = engine peak - true peak (deg); MAE/max = per-frame |error| on frames matched by nearest t_s"
    )
    lines.append(
        "where both are finite; MAE>=20 = SLR frames whose true angle >= 20 deg (the first 5-20 deg of a raise"
    )
    lines.append("are known to be hard); knee = per-frame knee flexion MAE; reach in cm.")
    lines.append("")
    for group, vals in overall(scores).items():
        body = ", ".join(f"{k}={v:.2f}" for k, v in vals.items() if not math.isnan(v))
        lines.append(f"overall {group}: {body}")
    return "\n".join(lines)


def _yaw_group(yaw: float) -> float:
    return 0.0 if math.isnan(yaw) else float(round(yaw))


def per_yaw_rows(scores: list[ClipScore]) -> list[dict[str, Any]]:
    """One row per (test, true camera yaw): how many clips, how many valid, errors of the valid ones."""
    rows: list[dict[str, Any]] = []
    synth = [s for s in scores if s.kind == "synthetic"]
    for test in ("slr", "sit-reach"):
        for yaw in sorted({_yaw_group(s.yaw_true_deg) for s in synth if s.test == test}):
            group = [s for s in synth if s.test == test and _yaw_group(s.yaw_true_deg) == yaw]
            valid = [s for s in group if s.valid]
            rows.append(
                {
                    "test": test,
                    "yaw_deg": yaw,
                    "clips": len(group),
                    "valid": len(valid),
                    "not_side_on": sum(s.not_side_on_error for s in group),
                    "max_abs_peak_error_deg": _max_abs(s.peak_error_deg for s in valid),
                    "mean_abs_peak_error_deg": _mean_abs(s.peak_error_deg for s in valid),
                    "max_abs_reach_error_cm": _max_abs(s.reach_peak_error_cm for s in valid),
                    "mean_yaw_est_deg": float(np.nanmean([s.yaw_est_deg for s in group]))
                    if any(not math.isnan(s.yaw_est_deg) for s in group)
                    else math.nan,
                    "max_abs_yaw_error_deg": _max_abs(s.yaw_est_deg - s.yaw_true_deg for s in group),
                }
            )
    return rows


def _max_abs(values: Iterable[float]) -> float:
    arr = np.array([abs(v) for v in values if not math.isnan(v)])
    return float(arr.max()) if arr.size else math.nan


def format_per_yaw(scores: list[ClipScore]) -> str:
    head = f"{'test':9} {'yaw':>5} {'clips':>5} {'valid':>5} {'notSide':>7} {'maxPeak':>7} {'meanPeak':>8} {'maxReach':>8} {'yawEst':>7} {'maxYawErr':>9}"
    lines = ["Per camera yaw (true yaw of the render; errors of the valid results):", head, "-" * len(head)]
    for r in per_yaw_rows(scores):
        lines.append(
            f"{r['test']:9} {r['yaw_deg']:+5.0f} {r['clips']:5d} {r['valid']:5d} {r['not_side_on']:7d} "
            f"{_fmt(r['max_abs_peak_error_deg'], signed=False):>7} {_fmt(r['mean_abs_peak_error_deg'], signed=False):>8} "
            f"{_fmt(r['max_abs_reach_error_cm'], signed=False):>8} {_fmt(r['mean_yaw_est_deg']):>7} "
            f"{_fmt(r['max_abs_yaw_error_deg'], signed=False):>9}"
        )
    return "\n".join(lines)


def format_camera(scores: list[ClipScore]) -> str:
    """Which cue tells the yaw: the static far-side offset, the swing lengths alone, and the combination."""
    synth = [s for s in scores if s.kind == "synthetic" and not math.isnan(s.yaw_true_deg)]
    head = f"{'clip':38} {'yaw':>5} {'static':>7} {'swing':>7} {'combined':>8} {'pitch':>6} {'est':>6} {'corr':>4}"
    lines = [
        "Camera cues (deg; yaw + = camera toward the feet, pitch + = looking down):",
        head,
        "-" * len(head),
    ]
    for s in synth:
        lines.append(
            f"{s.name[:38]:38} {s.yaw_true_deg:+5.0f} {_fmt(s.yaw_static_deg):>7} {_fmt(s.yaw_swing_deg):>7} "
            f"{_fmt(s.yaw_est_deg):>8} {_fmt(s.pitch_true_deg):>6} {_fmt(s.pitch_est_deg):>6} {_fmt(s.corrected):>4}"
        )
    for cue, attr in (("static", "yaw_static_deg"), ("swing", "yaw_swing_deg"), ("combined", "yaw_est_deg")):
        err = [getattr(s, attr) - s.yaw_true_deg for s in synth]
        lines.append(f"yaw |error| by cue, {cue}: mean {_mean_abs(err):.1f}, max {_max_abs(err):.1f} deg")
    return "\n".join(lines)


def calibration_rows(scores: list[ClipScore]) -> list[dict[str, Any]]:
    """Coverage of the stated 90% intervals (truth inside) and their median width, per group of valid results."""
    synth = [s for s in scores if s.kind == "synthetic" and s.valid]
    # The target is on the whole synthetic set; the per-test groups show where it is met.
    groups: list[tuple[str, list[ClipScore]]] = [("all tests", synth)]
    for test in ("slr", "sit-reach"):
        t = [s for s in synth if s.test == test]
        groups.append((f"{test} all", t))
        groups.append((f"{test} |yaw|<=10", [s for s in t if abs(_yaw_group(s.yaw_true_deg)) <= 10]))
        groups.append((f"{test} |yaw|>10", [s for s in t if abs(_yaw_group(s.yaw_true_deg)) > 10]))
    rows = []
    for name, group in groups:
        pairs = [(s.peak_error_deg, s.uncertainty_deg) for s in group if not math.isnan(s.uncertainty_deg)]
        reach = [
            (s.reach_peak_error_cm, s.reach_uncertainty_cm)
            for s in group
            if not math.isnan(s.reach_uncertainty_cm)
        ]
        rows.append(
            {
                "group": name,
                "n": len(pairs),
                "coverage": float(np.mean([abs(e) <= u for e, u in pairs])) if pairs else math.nan,
                "median_width_deg": float(np.median([u for _, u in pairs])) if pairs else math.nan,
                "reach_n": len(reach),
                "reach_coverage": float(np.mean([abs(e) <= u for e, u in reach])) if reach else math.nan,
                "reach_median_width_cm": float(np.median([u for _, u in reach])) if reach else math.nan,
            }
        )
    return [r for r in rows if r["n"]]


def format_calibration(scores: list[ClipScore]) -> str:
    head = (
        f"{'group':22} {'n':>3} {'coverage':>8} {'medianU':>8} {'reachN':>6} {'reachCov':>8} {'reachMedU':>9}"
    )
    lines = [
        "Uncertainty calibration (valid results; coverage = truth inside +-U, target >= 0.90):",
        head,
        "-" * len(head),
    ]
    for r in calibration_rows(scores):
        lines.append(
            f"{r['group']:22} {r['n']:3d} {_fmt(r['coverage'], signed=False):>8} {_fmt(r['median_width_deg'], signed=False):>8} "
            f"{r['reach_n']:6d} {_fmt(r['reach_coverage'], signed=False):>8} {_fmt(r['reach_median_width_cm'], signed=False):>9}"
        )
    return "\n".join(lines)


def to_json(scores: list[ClipScore]) -> dict[str, Any]:
    def clean(d: dict[str, Any]) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    return {
        "clips": [clean(asdict(s)) for s in scores],
        "overall": {k: clean(v) for k, v in overall(scores).items()},
        "per_yaw": [clean(r) for r in per_yaw_rows(scores)],
        "calibration": [clean(r) for r in calibration_rows(scores)],
    }


PRODUCT_TARGETS = {
    "slr": {"peak_abs_error_deg": 2.0, "mae_deg": 2.0},
    "sit-reach": {"peak_abs_error_deg": 3.0, "mae_deg": 3.0, "reach_peak_abs_error_cm": 2.0},
}


def _limit(measured: float, rel: float = 0.25, floor: float = 0.4) -> float:
    """Measured number plus a small margin (noise between runs and platforms), rounded up."""
    return math.ceil((abs(measured) + max(rel * abs(measured), floor)) * 10) / 10


def propose_thresholds(scores: list[ClipScore], exempt: dict[str, str]) -> dict[str, Any]:
    """Thresholds from measured numbers with a margin, capped at the product targets except for the
    clips in `exempt` (name -> documented reason). Review before committing: they define a regression."""
    clips: dict[str, dict[str, float]] = {}
    for s in scores:
        if s.kind != "synthetic":
            continue
        th = {"peak_abs_error_deg": _limit(s.peak_error_deg), "mae_deg": _limit(s.mae_deg)}
        if not math.isnan(s.mae_ge20_deg):
            th["mae_ge20_deg"] = _limit(s.mae_ge20_deg)
        if not math.isnan(s.reach_peak_error_cm):
            th["reach_peak_abs_error_cm"] = _limit(s.reach_peak_error_cm)
        if s.name not in exempt:
            for metric, target in PRODUCT_TARGETS[s.test].items():
                th[metric] = min(th.get(metric, target), target)
        clips[s.name] = th
    groups = overall(scores)
    keep = ("peak_abs_error_deg", "mae_deg", "mae_ge20_deg", "reach_peak_abs_error_cm")
    return {
        "product_targets": PRODUCT_TARGETS,
        "exempt_from_targets": exempt,
        "clips": clips,
        "overall": {
            g: {k: _limit(v) for k, v in vals.items() if k in keep and not math.isnan(v)}
            for g, vals in groups.items()
        },
    }


CAMERA_TARGETS = {
    "slr_correct_up_to_yaw_deg": 30,
    "slr_max_abs_peak_error_deg": 3.0,
    "sit_reach_correct_up_to_yaw_deg": 25,  # the clips that miss it are known_misses (docs/MEASURES.md)
    "sit_reach_max_abs_hip_error_deg": 3.0,
    "sit_reach_max_abs_reach_error_cm": 2.0,
    "never_valid_off_by_more_than_deg": 4.0,
    "min_coverage": 0.9,
    "min_valid_for_coverage": 5,
    "max_median_width_deg": 4.0,
    "max_median_reach_width_cm": 4.0,
}


def propose_camera_thresholds(scores: list[ClipScore]) -> dict[str, Any]:
    """The oblique-camera check set: the issue's targets plus, per (test, yaw), the measured number of
    valid results and the largest peak error with a margin (capped at the target where it applies)."""
    rows = []
    for r in per_yaw_rows(scores):
        cap = (
            CAMERA_TARGETS["slr_max_abs_peak_error_deg"]
            if r["test"] == "slr" and abs(r["yaw_deg"]) <= CAMERA_TARGETS["slr_correct_up_to_yaw_deg"]
            else CAMERA_TARGETS["never_valid_off_by_more_than_deg"]
        )
        peak = r["max_abs_peak_error_deg"]
        rows.append(
            {
                "test": r["test"],
                "yaw_deg": r["yaw_deg"],
                "min_valid": r["valid"],
                "max_abs_peak_error_deg": cap if math.isnan(peak) else min(_limit(peak), cap),
            }
        )
    return {
        "targets": CAMERA_TARGETS,
        "known_misses": {},
        "rendered_yaws_deg": sorted(
            {int(_yaw_group(s.yaw_true_deg)) for s in scores if s.kind == "synthetic"}
        ),
        "per_yaw": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Engine accuracy against ground-truth sidecars.")
    ap.add_argument("folders", nargs="*", type=Path, default=[DEFAULT_FOLDER])
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    ap.add_argument(
        "--model",
        type=Path,
        default=None,
        help="another pose .task (e.g. the heavy landmark model; docs/MEASURES.md): the engine is "
        "calibrated on the bundled full model, so this measures the model, not a supported setting",
    )
    ap.add_argument(
        "--propose-thresholds",
        type=Path,
        default=None,
        metavar="OUT",
        help="write thresholds (measured + margin, capped at the targets) for review; keeps the exemptions of "
        "benchmarks/accuracy_thresholds.json",
    )
    ap.add_argument(
        "--propose-camera-thresholds",
        type=Path,
        default=None,
        metavar="OUT",
        help="write the oblique-camera thresholds (the 'camera_set' block) for review",
    )
    args = ap.parse_args(argv)
    missing = [f for f in args.folders if not f.is_dir()]
    if missing:
        print(f"error: not a folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if args.model is not None and not args.model.is_file():
        print(f"error: no such model file: {args.model}", file=sys.stderr)
        return 2
    scores = evaluate_folders(args.folders, partial(run_engine, model_path=args.model))
    if not scores:
        print("error: no <clip>.mp4 + <clip>.json pairs found", file=sys.stderr)
        return 2
    print(format_table(scores))
    print()
    print(format_per_yaw(scores))
    print()
    print(format_camera(scores))
    print()
    print(format_calibration(scores))
    if args.json:
        args.json.write_text(json.dumps(to_json(scores), indent=1) + "\n")
    if args.propose_thresholds:
        current = ROOT / "benchmarks" / "accuracy_thresholds.json"
        exempt = json.loads(current.read_text()).get("exempt_from_targets", {}) if current.exists() else {}
        proposal = propose_thresholds(scores, exempt)
        args.propose_thresholds.write_text(json.dumps(proposal, indent=1) + "\n")
    if args.propose_camera_thresholds:
        camera = propose_camera_thresholds(scores)
        args.propose_camera_thresholds.write_text(json.dumps(camera, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
