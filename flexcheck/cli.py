"""`flexcheck` command line: analyse a clip, manage the history.

stdout carries only the requested output (`--json -`); messages go to stderr. Exit codes: 0 analysed
(even when the result is invalid), 2 unusable input or arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flexcheck.history_cli import add_history_parser

EXIT_OK = 0
EXIT_UNUSABLE = 2


class CliError(Exception):
    """A one-line message for stderr; exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flexcheck", description="Measure hamstring flexibility from video."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    an = sub.add_parser("analyze", help="analyse a video of a straight-leg raise or sit-and-reach")
    an.add_argument("video", type=Path)
    an.add_argument("--test", required=True, choices=["slr", "sit-reach"])
    an.add_argument("--side", default="auto", choices=["auto", "left", "right"])
    an.add_argument("--height-cm", type=float, default=None, help="person's height (scales the reach)")
    an.add_argument(
        "--json", dest="json_path", default=None, help="write the result as JSON (PATH or - for stdout)"
    )
    an.add_argument(
        "--csv", dest="csv_path", type=Path, default=None, help="write the per-frame series as CSV"
    )
    an.add_argument("--annotated", type=Path, default=None, help="write an annotated H.264 video (.mp4)")
    an.add_argument("--model", type=Path, default=None, help="another MediaPipe pose .task model")
    an.add_argument("--save", action="store_true", help="save the result in the history (needs --person)")
    an.add_argument("--person", default=None, help="whose measurement this is (with --save)")
    add_history_parser(sub)
    return parser


def _summary(result: Any) -> str:
    what = "SLR angle" if result.test == "slr" else "hip angle"
    if result.angle_deg is None:
        head = "No result"
    else:
        head = f"{what} {result.angle_deg:.1f} deg{_pm(result.uncertainty_deg)} ({result.side})"
        if result.reach_cm is not None:
            head += f", reach {result.reach_cm:+.1f} cm{_pm(result.reach_uncertainty_cm)}"
    lines = [f"{head} - {'valid' if result.valid else 'NOT valid'}"]
    cam = result.camera
    if cam is not None:
        how = "corrected" if cam.corrected else "not corrected"
        lines.append(f"  camera: yaw {cam.yaw_deg:+.0f} deg, pitch {cam.pitch_deg:+.0f} deg ({how})")
    lines += [f"  [{c.severity}] {c.code}: {c.message}" for c in result.checks]
    return "\n".join(lines)


def _pm(half_width: float | None) -> str:
    """ " +- 3" for a stated 90% interval, nothing when there is none."""
    return "" if half_width is None or not math.isfinite(half_width) else f" +- {half_width:.0f}"


def _cell(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else ""


def _write_csv(result: Any, path: Path) -> None:
    s = result.series
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t_s", "angle_deg", "knee_flexion_deg", "reach_cm"])
        for i in range(len(s.t_s)):
            reach = _cell(float(s.reach_cm[i])) if s.reach_cm is not None else ""
            w.writerow(
                [f"{s.t_s[i]:.4f}", _cell(float(s.angle_deg[i])), _cell(float(s.knee_flexion_deg[i])), reach]
            )


def run_analyze(args: argparse.Namespace) -> int:
    from analysis.pipeline import AnalysisOptions, analyze_video
    from flexcheck.settings import Settings
    from vision.frames import VideoError

    settings = Settings.from_env()
    if args.save and not args.person:
        raise CliError("--save needs --person NAME")
    if args.annotated and args.annotated.suffix.lower() != ".mp4":
        raise CliError("--annotated must name an .mp4 file")
    options = AnalysisOptions(
        test=args.test,
        side=args.side,
        height_cm=args.height_cm,
        model_path=args.model or settings.pose_model_path,
        annotated_path=args.annotated,
    )
    try:
        result = analyze_video(args.video, options)
    except VideoError as exc:
        raise CliError(str(exc)) from exc
    if args.json_path == "-":
        sys.stdout.write(json.dumps(result.to_json_dict()) + "\n")
    elif args.json_path:
        Path(args.json_path).write_text(json.dumps(result.to_json_dict(), indent=1))
    if args.csv_path:
        _write_csv(result, args.csv_path)
    print(_summary(result), file=sys.stderr)
    if args.save:
        _save(result, args.person, settings)
    return EXIT_OK


def _save(result: Any, person: str, settings: Any) -> None:
    from history import HistoryStore, save_analysis
    from scoring import score_measurement

    score = score_measurement(result.test, result.angle_deg, result.reach_cm, result.valid)
    store = HistoryStore.open(settings.database_url)
    try:
        mid = save_analysis(store, person, result, "cli", score.band_id if score.scored else None)
    finally:
        store.close()
    print(f"saved as measurement {mid} for {person}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "analyze":
            return run_analyze(args)
        from flexcheck.history_cli import run_history
        from flexcheck.settings import Settings

        return run_history(args, Settings.from_env())
    except CliError as exc:
        print(f"flexcheck: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("flexcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
