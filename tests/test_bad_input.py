"""Bad input gets one line and exit 2 before any analysis; saving follows the history's one rule."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from analysis.checks import CheckConfig, check_person, longest_found_run_s
from analysis.result import AnalysisResult, Check, MeasureSeries, Rep, VideoInfo
from history import HistoryStore
from history.save_policy import check_person_name, save_decision
from tests.landmark_factory import series_from_points, supine_frame
from tests.media_factory import write_clip, write_moving_shapes
from tests.test_cli import assert_clean_failure, run_cli
from vision.frames import VideoError
from vision.video_io import probe_video

ROOT = Path(__file__).resolve().parents[1]
SLR_CLIP = ROOT / "sample_videos" / "slr_left_near_slim_f.mp4"


def _photo(path: Path, **save: object) -> Path:
    rgb = (np.random.default_rng(0).random((120, 160, 3)) * 255).astype(np.uint8)
    Image.fromarray(rgb).save(path, **save)  # type: ignore[arg-type]
    return path


# -- still photos ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["photo.png", "photo.jpg", "photo.gif", "photo.webp", "photo_named.mp4"])
def test_still_photo_is_refused_by_probe(tmp_path: Path, name: str) -> None:
    fmt = {"photo_named.mp4": {"format": "PNG"}}.get(name, {})
    path = _photo(tmp_path / name, **fmt)
    with pytest.raises(VideoError, match=r"still photo.*short video"):
        probe_video(path)


def test_animated_gif_and_a_short_video_are_not_photos(tmp_path: Path) -> None:
    frames = [Image.fromarray(np.full((60, 80, 3), 40 * i, dtype=np.uint8)) for i in range(5)]
    gif = tmp_path / "moving.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=100)
    assert probe_video(gif).n_frames == 5
    assert probe_video(write_clip(tmp_path / "two.mp4", n_frames=2)).width == 160


def test_one_frame_video_counts_as_a_photo(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="still photo"):
        probe_video(write_clip(tmp_path / "one.mp4", n_frames=1))


def test_cli_refuses_a_photo_with_one_line(tmp_path: Path) -> None:
    proc = run_cli(
        "analyze", str(_photo(tmp_path / "me.png")), "--test", "slr", "--json", "-", tmp_path=tmp_path
    )
    assert_clean_failure(proc)
    assert "me.png is a still photo" in proc.stderr and "short video" in proc.stderr


# -- nobody in the picture ----------------------------------------------------------------------


def _series_found_in(found: np.ndarray) -> object:
    lms = series_from_points([supine_frame(0.0)] * len(found))
    return type(lms)(**{**lms.__dict__, "n_people": found.astype(int)})


def test_a_flicker_of_detections_is_no_person_but_a_real_run_is_person_lost() -> None:
    cfg = CheckConfig()
    flicker = np.zeros(120, bool)
    flicker[[10, 11, 50, 90, 91, 92]] = True  # at most 3 frames (0.1 s) in a row
    lms = _series_found_in(flicker)
    assert longest_found_run_s(lms) == pytest.approx(0.1)  # type: ignore[arg-type]
    assert [c.code for c in check_person(lms, cfg)] == ["no_person"]  # type: ignore[arg-type]
    seen = np.zeros(120, bool)
    seen[30:60] = True  # one second in view, 25% of the clip
    codes = [c.code for c in check_person(_series_found_in(seen), cfg)]  # type: ignore[arg-type]
    assert codes == ["person_lost"]


def _lavfi_clip(path: Path, source: str, n_frames: int = 120) -> Path:
    """ffmpeg's own test sources (e.g. the moving mandelbrot zoom) as an H.264 clip."""
    with av.open(source, format="lavfi") as src, av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(30))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for i, frame in enumerate(src.decode(video=0)):
            if i >= n_frames:
                break
            f = frame.reformat(width=640, height=360, format="yuv420p")
            f.pts = i
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


@pytest.mark.parametrize("source", ["mandelbrot", "shapes"])
def test_moving_pattern_without_a_body_is_no_person(tmp_path: Path, source: str) -> None:
    """The pose model finds a "person" in 2 frames of the mandelbrot zoom: that is still nobody."""
    from analysis.pipeline import AnalysisOptions, analyze_video

    if source == "mandelbrot":
        clip = _lavfi_clip(tmp_path / "pattern.mp4", "mandelbrot=s=640x360:r=30")
    else:
        clip = write_moving_shapes(tmp_path / "pattern.mp4")
    result = analyze_video(clip, AnalysisOptions(test="slr"))
    codes = [c.code for c in result.checks]
    assert codes == ["no_person"] and not result.valid


# -- problems found before the analysis ----------------------------------------------------------


def test_long_name_is_refused_before_the_analysis(tmp_path: Path) -> None:
    not_a_video = tmp_path / "notes.mp4"
    not_a_video.write_text("not a video\n")  # the analysis would fail on this: the name is checked first
    proc = run_cli(
        "analyze", str(not_a_video), "--test", "slr", "--save", "--person", "x" * 300, tmp_path=tmp_path
    )
    assert_clean_failure(proc)
    assert "at most 200 characters" in proc.stderr


def test_unreachable_database_is_refused_before_the_analysis(tmp_path: Path) -> None:
    not_a_video = tmp_path / "notes.mp4"
    not_a_video.write_text("not a video\n")
    env = {**os.environ, "FLEXCHECK_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/flexcheck"}
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "flexcheck.cli", "analyze", str(not_a_video), "--test", "slr", "--save",
         "--person", "Ana"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert_clean_failure(proc)
    assert "history database" in proc.stderr


@pytest.mark.parametrize("option", ["--json", "--csv", "--annotated"])
def test_output_to_a_missing_folder_is_refused_before_the_analysis(tmp_path: Path, option: str) -> None:
    target = tmp_path / "missing" / "dir" / ("x.mp4" if option == "--annotated" else "x.out")
    proc = run_cli("analyze", str(SLR_CLIP), "--test", "slr", option, str(target), tmp_path=tmp_path)
    assert_clean_failure(proc)
    assert "does not exist" in proc.stderr
    assert not target.parent.exists()


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    assert_clean_failure(
        run_cli("analyze", str(SLR_CLIP), "--test", "slr", "--json", str(tmp_path), tmp_path=tmp_path)
    )


# -- one save rule ------------------------------------------------------------------------------


def _result(valid: bool, checks: list[Check]) -> AnalysisResult:
    t = np.arange(60) / 30.0
    angle = np.full(60, 70.0)
    return AnalysisResult(
        test="slr",
        side="left",
        video=VideoInfo(30.0, 60, 2.0, 960, 540, 0),
        series=MeasureSeries(t, angle, np.zeros(60)),
        reps=[Rep(0.2, 1.0, 1.8, 70.0)],
        valid=valid,
        angle_deg=70.0,
        reach_cm=None,
        peak_s=1.0,
        checks=checks,
    )


def test_save_policy_allows_valid_results_only() -> None:
    assert save_decision(_result(True, [])).allowed
    bent = Check("knee_bent", "error", "The raised knee was bent about 25 deg at the peak.")
    decision = save_decision(_result(False, [bent]))
    assert not decision.allowed and "knee was bent" in decision.reason
    assert check_person_name("  Ana  ") == "Ana"


def test_ui_save_follows_the_same_rule(tmp_path: Path) -> None:
    from ui import backend

    with HistoryStore.open(f"sqlite:///{tmp_path / 'h.db'}") as store:
        person = backend.create_person(store, "Ana", None, None, None)
        bent = Check("knee_bent", "error", "The raised knee was bent about 25 deg at the peak.")
        with pytest.raises(ValueError, match=r"Not saved: .*knee was bent"):
            backend.save(store, person, _result(False, [bent]), "upload", None)
        assert backend.why_not_saved(_result(True, [])) == ""
        backend.save(store, person, _result(True, []), "upload", None)
        assert len(store.list_measurements(person.id)) == 1


@pytest.mark.slow
def test_cli_does_not_save_an_invalid_result(tmp_path: Path) -> None:
    clip = write_moving_shapes(tmp_path / "nobody.mp4", seconds=2.0)
    proc = run_cli("analyze", str(clip), "--test", "slr", "--save", "--person", "Ana", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not saved: the recording did not pass the checks: No person was found" in proc.stderr
    assert "Traceback" not in proc.stderr
    with HistoryStore.open(f"sqlite:///{tmp_path / 'data' / 'flexcheck.db'}") as store:
        assert store.list_people() == []


def test_low_confidence_reaches_scoring() -> None:
    from ui import backend

    hard_to_see = Check("low_confidence", "warning", "The legs were hard to see at the peak.")
    assert backend.score(_result(True, []), None).scored
    score = backend.score(_result(True, [hard_to_see]), None)
    assert not score.scored and "confidence" in score.reason


def test_cli_saves_a_low_confidence_result_without_a_band(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flexcheck.cli import _save, _score

    hard_to_see = Check("low_confidence", "warning", "The legs were hard to see at the peak.")
    with HistoryStore.open(f"sqlite:///{tmp_path / 'h.db'}") as store:
        for result in (_result(True, []), _result(True, [hard_to_see])):
            _save(result, "Ana", store, _score(result, None), None, None)
        person = store.get_person_by_name("Ana")
        assert person is not None
        bands = [m.band for m in store.list_measurements(person.id)]
    assert bands[0] is not None and bands[1] is None
    assert capsys.readouterr().err.count("saved as measurement") == 2
