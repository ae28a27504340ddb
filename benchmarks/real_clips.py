"""Reality check on real footage: the engine vs hand annotations in ../shared/real_clips/.

    python benchmarks/real_clips.py [FOLDER]

The annotations are 2D angles placed by eye (uncertain by 4-10 deg, some views oblique), so they are
plausibility bands, not accuracy targets. Clips of other exercises ("other") must not come out as a
valid result of either test. The clips are read in place and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.pipeline import AnalysisOptions, analyze_video  # noqa: E402
from analysis.result import AnalysisResult, TestKind  # noqa: E402
from flexcheck.vocabulary import TESTS  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "real_clips"
# Annotation key of the main angle, by test; the first key present wins.
ANGLE_KEYS = {
    "slr": ("slr_between_legs_2d_deg",),
    "sit-reach": ("hip_angle_2d_deg", "hip_angle_shoulder_hip_knee_2d_deg", "trunk_vs_straight_leg_2d_deg"),
}


@dataclass(frozen=True)
class RealClipRow:
    clip: str
    test: str  # the test the clip shows ("other" for a different exercise)
    analysed_as: TestKind
    annotated_deg: float | None
    annotated_t_s: float | None
    uncertainty_deg: float | None
    measured_at_t_deg: float | None  # the engine's cleaned angle at the annotated moment (+- 0.25 s)
    result_deg: float | None
    valid: bool
    checks: tuple[str, ...]

    @property
    def error_deg(self) -> float | None:
        if self.annotated_deg is None or self.measured_at_t_deg is None:
            return None
        return self.measured_at_t_deg - self.annotated_deg


def annotated_peak(sidecar: dict, test: str) -> tuple[float | None, float | None]:
    peak = sidecar.get("annotation", {}).get("peak") or {}
    for key in ANGLE_KEYS.get(test, ()):
        if key in peak:
            return float(peak[key]), float(peak["t_s"])
    return None, None


def uncertainty_deg(sidecar: dict) -> float | None:
    match = re.search(r"\+-\s*(\d+(?:\.\d+)?)", str(sidecar.get("annotation", {}).get("uncertainty", "")))
    return float(match.group(1)) if match else None


# Annotated times come from seeking with ffmpeg and from "deepest around 2.0-2.5 s" judgements: the
# engine's value is taken as the one closest to the annotation within this window around its time.
TIME_TOLERANCE_S = 0.25


def value_at(result: AnalysisResult, t_s: float | None, annotated_deg: float | None) -> float | None:
    s = result.series
    if t_s is None or annotated_deg is None or len(s.t_s) == 0:
        return None
    near = (np.abs(s.t_s - t_s) <= TIME_TOLERANCE_S) & np.isfinite(s.angle_deg)
    if not np.any(near):
        return None
    values = s.angle_deg[near]
    return float(values[int(np.argmin(np.abs(values - annotated_deg)))])


def analyse_clip(clip: Path) -> list[RealClipRow]:
    sidecar = json.loads(clip.with_suffix(".json").read_text())
    test = str(sidecar.get("test", "other"))
    runs: list[TestKind] = [test] if test in TESTS else list(TESTS)
    rows = []
    for analysed_as in runs:
        result = analyze_video(clip, AnalysisOptions(test=analysed_as))
        ann, ann_t = annotated_peak(sidecar, test)
        rows.append(
            RealClipRow(
                clip=clip.stem,
                test=test,
                analysed_as=analysed_as,
                annotated_deg=ann,
                annotated_t_s=ann_t,
                uncertainty_deg=uncertainty_deg(sidecar),
                measured_at_t_deg=value_at(result, ann_t, ann),
                result_deg=result.angle_deg,
                valid=result.valid,
                checks=tuple(c.code for c in result.checks if c.severity != "info"),
            )
        )
    return rows


def run(folder: Path) -> list[RealClipRow]:
    rows: list[RealClipRow] = []
    for clip in sorted(folder.glob("*.mp4")):
        if clip.with_suffix(".json").exists():
            rows += analyse_clip(clip)
    return rows


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"no real clips at {args.folder}")
    rows = run(args.folder)
    print(
        f"{'clip':<36} {'shows':<9} {'as':<9} {'annot':>6} {'+-':>6} {'at t':>6} {'err':>6} {'result':>6} valid  checks"
    )
    for r in rows:
        print(
            f"{r.clip:<36} {r.test:<9} {r.analysed_as:<9} {fmt(r.annotated_deg)} {fmt(r.uncertainty_deg):>6} "
            f"{fmt(r.measured_at_t_deg)} {fmt(r.error_deg)} {fmt(r.result_deg)} {'yes' if r.valid else 'no ':<5} "
            f"{','.join(r.checks)}"
        )
    errs = [abs(r.error_deg) for r in rows if r.error_deg is not None]
    within = [
        r
        for r in rows
        if r.error_deg is not None and r.uncertainty_deg and abs(r.error_deg) <= r.uncertainty_deg
    ]
    print(
        f"\nannotated clips: {len(errs)}, mean |error| {np.mean(errs):.1f} deg, within the annotation's uncertainty: {len(within)}/{len(errs)}"
    )
    others = [r for r in rows if r.test == "other"]
    print(f"other exercises reported as a valid result: {sum(r.valid for r in others)}/{len(others)}")


if __name__ == "__main__":
    main()
