"""`flexcheck` command line: analyse a clip, manage the history.

stdout carries only the requested output (`--json -`); messages go to stderr. Exit codes: 0 analysed
(even when the result is invalid), 2 unusable input or arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from flexcheck.batch_cli import add_batch_parser
from flexcheck.history_cli import add_history_parser
from flexcheck.report_cli import add_report_parser
from flexcheck.vocabulary import TESTS

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
    an.add_argument("--test", required=True, choices=TESTS)
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
    an.add_argument(
        "--slr-mode",
        default=None,
        metavar="active|passive",
        help="straight-leg raise: active = you raised the leg yourself (default), passive = a helper lifted it",
    )
    an.add_argument(
        "--symptoms",
        default=None,
        metavar="LIST",
        help="symptom screen answers before any plan: 'none' or a comma list of "
        "severe_pain, bladder_bowel, leg_weakness, calf_swelling, tingling, numbness, shooting_pain, "
        "recent_strain:GRADE (1-3), pain_now, pain_behind_knee (asked interactively on a terminal)",
    )
    add_history_parser(sub)
    add_batch_parser(sub)
    add_report_parser(sub)
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


def _check_output_path(path: Path, option: str) -> None:
    """Refuse an output path that cannot be written, before minutes of analysis are spent."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CliError(f"{option} {path} is a folder; give a file name")
    if not folder.is_dir():
        raise CliError(f"{option}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"{option}: cannot write to {path} (no permission)")


def _check_outputs(args: argparse.Namespace) -> None:
    if args.annotated and args.annotated.suffix.lower() != ".mp4":
        raise CliError("--annotated must name an .mp4 file")
    if args.json_path and args.json_path != "-":
        _check_output_path(Path(args.json_path), "--json")
    if args.csv_path:
        _check_output_path(args.csv_path, "--csv")
    if args.annotated:
        _check_output_path(args.annotated, "--annotated")


@contextlib.contextmanager
def _history_for_save(args: argparse.Namespace, settings: Any) -> Iterator[Any]:
    """With --save: check the name and open the store BEFORE the analysis; yields the store or None."""
    if not args.save:
        yield None
        return
    from history import HistoryError, HistoryStore
    from history.save_policy import check_person_name

    if not args.person:
        raise CliError("--save needs --person NAME")
    try:
        args.person = check_person_name(args.person)
        store = HistoryStore.open(settings.database_url)
    except HistoryError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:  # e.g. the SQLite file's folder cannot be created
        raise CliError(
            f"cannot open the history database: {exc.strerror or exc}: {exc.filename or ''}"
        ) from exc
    try:
        yield store
    finally:
        store.close()


def run_analyze(args: argparse.Namespace) -> int:
    slr_mode, symptoms = _advice_options(args)  # before the heavy imports: bad values fail fast
    from flexcheck.settings import Settings
    from vision.frames import VideoError
    from vision.video_io import probe_video

    settings = Settings.from_env()
    if args.save and not args.person:
        raise CliError("--save needs --person NAME")
    _check_outputs(args)
    with _history_for_save(args, settings) as store:
        try:  # a missing, damaged or still-image file: answered before the analysis stages load (~1.5 s)
            probe_video(args.video)
        except VideoError as exc:
            raise CliError(str(exc)) from exc
        from analysis.pipeline import AnalysisOptions, analyze_video

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
        score = _score(result, slr_mode)
        print(_advice_text(score, symptoms), file=sys.stderr)
        if store is not None:
            _save(result, args.person, store, score, slr_mode, symptoms)
    return EXIT_OK


def _advice_options(args: argparse.Namespace) -> tuple[Any, Any]:
    """SLR mode and symptom answers, checked before any analysis (bad values: one line, exit 2)."""
    from scoring import check_slr_mode, parse_symptoms

    if args.slr_mode is not None and args.test != "slr":
        raise CliError("--slr-mode applies to --test slr only")
    try:
        slr_mode = check_slr_mode(args.slr_mode) if args.test == "slr" else None
        if args.symptoms is not None:
            return slr_mode, parse_symptoms(args.symptoms)
    except ValueError as exc:
        raise CliError(str(exc).replace("\n", " ")) from exc
    # Ask only with a person at a terminal: stdin to answer and stderr (where the questions go) to read them.
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    return slr_mode, _ask_symptoms() if interactive else None


def _ask_symptoms() -> Any:
    """The symptom screen on a terminal: one yes/no per question, red flags first."""
    from scoring import QUESTIONS, Symptoms

    print("Before any plan, a few questions (y/n). Do you have ...", file=sys.stderr)
    answers: dict[str, Any] = {}
    for q in QUESTIONS:
        yes = _ask_yes_no(f"  {q.text}? ")
        if yes and q.key == "recent_strain":
            answers["strain_grade"] = _ask_grade()
        elif yes:
            answers[q.key] = True
    return Symptoms(**answers)


def _ask_yes_no(prompt: str) -> bool:
    while True:
        print(prompt, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            raise CliError("no answer to the symptom questions (give --symptoms instead)")
        reply = line.strip().lower()
        if reply in ("y", "yes", "n", "no"):
            return reply.startswith("y")


def _ask_grade() -> int:
    while True:
        print("    Grade 1 (mild), 2 (moderate) or 3 (severe tear)? ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            raise CliError("no answer to the strain grade (give --symptoms instead)")
        if line.strip() in ("1", "2", "3"):
            return int(line.strip())


def _score(result: Any, slr_mode: Any) -> Any:
    from analysis.checks import has_low_confidence
    from scoring import score_measurement

    reason = "; ".join(c.message for c in result.errors)
    return score_measurement(
        result.test,
        result.angle_deg,
        result.reach_cm,
        result.valid,
        invalid_reason=reason,
        low_confidence=has_low_confidence(result.checks),
        slr_mode=slr_mode,
    )


def _advice_text(score: Any, symptoms: Any) -> str:
    """Verdict, then the plan only once the symptom screen was answered."""
    from scoring import build_plan

    if not score.scored:
        return f"Not scored: {score.reason}"
    lines = [f"Result: {score.band_label}. {score.meaning}", *score.context]
    if score.check_first:
        lines.append(score.check_first)
    if symptoms is None:
        lines.append("Plan not shown: answer the symptom questions first (--symptoms none if you have none).")
        return "\n".join(lines)
    plan = build_plan(score, symptoms=symptoms)
    lines += [f"! {flag}" for flag in plan.red_flags]
    lines.append(f"Plan: {plan.summary}")
    lines += [
        f"  - {i.exercise.name}: {i.exercise.dose.text()}, {i.sessions_per_week}x/week" for i in plan.items
    ]
    return "\n".join(lines)


def _save(result: Any, person: str, store: Any, score: Any, slr_mode: Any, symptoms: Any) -> None:
    """Save by the history's one rule (valid results only); an unsaved result is still exit 0."""
    from history import HistoryError, save_analysis
    from history.save_policy import save_decision

    decision = save_decision(result)
    if not decision.allowed:
        print(f"not saved: {decision.reason}", file=sys.stderr)
        return
    band = score.band_id if score.scored else None
    answers = None if symptoms is None else symptoms.to_dict()
    try:
        mid = save_analysis(store, person, result, "cli", band, slr_mode=slr_mode, symptoms=answers)
    except HistoryError as exc:
        raise CliError(f"could not save: {exc}") from exc
    print(f"saved as measurement {mid} for {person}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "analyze":
            return run_analyze(args)
        from flexcheck.settings import Settings

        if args.command == "batch":
            from flexcheck.batch_cli import run_batch

            return run_batch(args, Settings.from_env())
        if args.command == "report":
            from flexcheck.report_cli import run_report

            return run_report(args, Settings.from_env())
        from flexcheck.history_cli import run_history

        return run_history(args, Settings.from_env())
    except CliError as exc:
        print(f"flexcheck: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("flexcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
