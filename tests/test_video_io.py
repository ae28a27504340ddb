"""Decoder and writer tests on clips generated at test time (tests/media_factory.py)."""

from __future__ import annotations

import gc
import itertools
import threading
from pathlib import Path

import av
import numpy as np
import pytest

from tests.media_factory import (
    corrupt_middle,
    frame_level,
    red_corner,
    rss_bytes,
    truncate_copy,
    write_audio_only,
    write_clip,
    write_random_bytes,
    write_text_as_mp4,
)
from vision.frames import VideoError
from vision.video_io import H264Writer, iter_frames, probe_video


def _decode_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("decode:")]


def _level(rgb: np.ndarray) -> float:
    """Background grey of a pattern frame, read from its bottom-right area (away from the red block)."""
    h, w = rgb.shape[:2]
    return float(rgb[h // 2 :, w // 2 :].mean())


# --- probe_video: metadata -------------------------------------------------------------------------


def test_probe_reads_size_rate_count_codec(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", width=160, height=96, n_frames=45, fps=30.0)
    meta = probe_video(clip)
    assert (meta.width, meta.height) == (160, 96)
    assert meta.fps == pytest.approx(30.0)
    assert meta.n_frames == 45
    assert meta.duration_s == pytest.approx(1.5, abs=0.05)
    assert meta.rotation_deg == 0
    assert meta.codec == "h264"


# Display matrix in PyAV's counter-clockwise convention -> clockwise VideoMeta angle, display size,
# and where the stored top-left red block ends up once the frame is upright.
@pytest.mark.parametrize(
    ("ccw_deg", "cw_deg", "size", "corner"),
    [
        (0, 0, (160, 96), "tl"),
        (-90, 90, (96, 160), "tr"),  # the usual portrait phone clip ("rotate=90")
        (90, 270, (96, 160), "bl"),
        (180, 180, (160, 96), "br"),
        (-180, 180, (160, 96), "br"),
        (270, 90, (96, 160), "tr"),  # same as -90
    ],
)
def test_rotation_metadata_is_applied(
    tmp_path: Path, ccw_deg: int, cw_deg: int, size: tuple[int, int], corner: str
) -> None:
    clip = write_clip(tmp_path / "rot.mp4", width=160, height=96, n_frames=5, rotation_ccw_deg=ccw_deg)
    meta = probe_video(clip)
    assert meta.rotation_deg == cw_deg
    assert (meta.width, meta.height) == size
    frames = list(iter_frames(clip))
    assert len(frames) == 5
    for f in frames:
        assert f.rgb.shape == (size[1], size[0], 3)
        assert f.rgb.flags["C_CONTIGUOUS"]
        assert red_corner(f.rgb) == corner


# --- iter_frames: timestamps, content, scaling -----------------------------------------------------


def test_frames_in_order_with_content_and_cfr_times(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", n_frames=40, fps=25.0)
    frames = list(iter_frames(clip))
    assert [f.index for f in frames] == list(range(40))
    np.testing.assert_allclose([f.t_s for f in frames], np.arange(40) / 25.0, atol=1e-6)
    for f in frames:
        assert f.rgb.dtype == np.uint8
        assert abs(_level(f.rgb) - frame_level(f.index)) < 6  # lossy codec, but the frame is the right one


def test_vfr_timestamps_are_real_and_start_at_zero(tmp_path: Path) -> None:
    times = [0.0, 0.030, 0.100, 0.120, 0.300, 0.310, 0.500, 0.900]
    clip = write_clip(tmp_path / "vfr.mp4", times_s=times, start_s=3.25)
    frames = list(iter_frames(clip))
    np.testing.assert_allclose([f.t_s for f in frames], times, atol=1e-4)
    assert [round(_level(f.rgb)) for f in frames] == pytest.approx(
        [frame_level(i) for i in range(len(times))], abs=6
    )


def test_downscale_keeps_aspect_and_is_upright(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "big.mp4", width=640, height=360, n_frames=3, rotation_ccw_deg=-90)
    frames = list(iter_frames(clip, max_side_px=320))
    assert frames[0].rgb.shape == (320, 180, 3)  # upright portrait, long side 320
    assert red_corner(frames[0].rgb) == "tr"
    small = list(iter_frames(clip, max_side_px=1000))  # never upscales
    assert small[0].rgb.shape == (640, 360, 3)


@pytest.mark.parametrize(
    ("name", "codec", "fmt", "pix_fmt", "expect_codec"),
    [
        ("h264.mp4", "libx264", "mp4", "yuv420p", "h264"),
        ("h264.mov", "libx264", "mov", "yuv420p", "h264"),
        ("hevc.mp4", "libx265", "mp4", "yuv420p", "hevc"),
        ("vp9.webm", "libvpx-vp9", "webm", "yuv420p", "vp9"),
        ("vp8.webm", "libvpx", "webm", "yuv420p", "vp8"),
        ("mjpeg.avi", "mjpeg", "avi", "yuvj420p", "mjpeg"),
        ("mpeg4.avi", "mpeg4", "avi", "yuv420p", "mpeg4"),
    ],
)
def test_common_containers_and_codecs(
    tmp_path: Path, name: str, codec: str, fmt: str, pix_fmt: str, expect_codec: str
) -> None:
    if codec not in av.codecs_available:
        pytest.skip(f"this FFmpeg build has no {codec} encoder to make a test clip")
    clip = write_clip(tmp_path / name, codec=codec, container_format=fmt, pix_fmt=pix_fmt, n_frames=20)
    meta = probe_video(clip)
    assert meta.codec == expect_codec
    assert (meta.width, meta.height) == (160, 96)
    frames = list(iter_frames(clip))
    assert len(frames) == 20
    np.testing.assert_allclose([f.t_s for f in frames], np.arange(20) / 30.0, atol=2e-3)
    assert red_corner(frames[0].rgb) == "tl"
    assert abs(_level(frames[10].rgb) - frame_level(10)) < 8


def test_clip_with_audio_track_decodes_video_only(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "av.mp4", n_frames=15, with_audio=True)
    assert probe_video(clip).n_frames == 15
    assert len(list(iter_frames(clip))) == 15


# --- bad input: one-line messages for a person ------------------------------------------------------


def _message(path: Path, **kwargs: float) -> str:
    with pytest.raises(VideoError) as info:
        probe_video(path, **kwargs)
    msg = str(info.value)
    assert "\n" not in msg and "Traceback" not in msg and "avformat" not in msg
    return msg


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _message(tmp_path / "nope.mp4")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert "empty" in _message(tmp_path / "empty.mp4")


def test_too_large(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", width=320, height=240, n_frames=60)
    msg = _message(clip, max_size_mb=0.001)
    assert "limit is 1 KB" in msg and "Trim the clip" in msg
    probe_video(clip, max_size_mb=100)  # under the limit: fine


def test_size_message_in_gb(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    with open(big, "wb") as fh:  # sparse file: 2.3 GB on paper, nothing on disk
        fh.truncate(int(2.3 * 1024**3))
    assert _message(big, max_size_mb=2048) == (
        "This file is 2.3 GB; the limit is 2.0 GB. Trim the clip to the test itself."
    )


def test_text_file_named_mp4(tmp_path: Path) -> None:
    assert "not a video file" in _message(write_text_as_mp4(tmp_path / "notes.mp4"))


def test_random_bytes_named_mp4(tmp_path: Path) -> None:
    assert "not a video file" in _message(write_random_bytes(tmp_path / "noise.mp4"))


def test_truncated_mp4(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", n_frames=60)
    assert "damaged" in _message(truncate_copy(clip, tmp_path / "cut.mp4", 0.5))


def test_audio_only(tmp_path: Path) -> None:
    assert "only sound" in _message(write_audio_only(tmp_path / "voice.mp4"))


def test_iter_frames_raises_video_error_for_bad_input(tmp_path: Path) -> None:
    with pytest.raises(VideoError):
        list(iter_frames(write_text_as_mp4(tmp_path / "notes.mp4")))
    with pytest.raises(VideoError):
        list(iter_frames(write_audio_only(tmp_path / "voice.mp4")))
    assert not _decode_threads()


def test_corrupt_packets_mid_stream_are_skipped(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", width=320, height=240, n_frames=60)
    bad = corrupt_middle(clip, tmp_path / "bad.mp4")
    frames = list(iter_frames(bad))
    assert 30 <= len(frames) <= 60  # the damaged span is lost (or concealed), the rest decodes
    assert frames[0].t_s == 0.0
    assert all(b.t_s > a.t_s for a, b in itertools.pairwise(frames))
    assert frames[-1].t_s == pytest.approx(59 / 30.0, abs=1e-3)  # the tail after the damage is kept


# --- streaming: bounded queue, early stop, no leaks --------------------------------------------------


def test_early_close_stops_thread(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", n_frames=120)
    gen = iter_frames(clip, prefetch=2)
    first = next(gen)
    assert first.index == 0
    assert len(_decode_threads()) == 1
    gen.close()
    assert not _decode_threads()


def test_break_in_for_loop_stops_thread(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", n_frames=120)
    for f in iter_frames(clip, prefetch=1):
        if f.index == 3:
            break
    gc.collect()  # the abandoned generator is finalised -> its finally block joins the worker
    assert not _decode_threads()


def test_decoder_runs_ahead_but_only_up_to_prefetch(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "a.mp4", n_frames=200)
    gen = iter_frames(clip, prefetch=4)
    next(gen)
    # Give the producer ample time; it must stop at the bound: one taken + 4 queued + 1 in its hand.
    import time

    time.sleep(0.5)
    frames = [next(gen)]
    assert frames[0].index == 1
    worker = _decode_threads()[0]
    assert worker.is_alive()  # blocked on the full queue, not finished with 200 frames
    gen.close()
    assert not worker.is_alive()


def test_long_clip_memory_does_not_grow(tmp_path: Path) -> None:
    # 1500 frames of 640x360 RGB would be ~1 GB if kept; streaming must hold only a few.
    clip = write_clip(tmp_path / "long.mp4", width=640, height=360, n_frames=1500)
    frames = iter_frames(clip, prefetch=8)
    peaks: list[int] = []
    n = 0
    for f in frames:
        n += 1
        if f.index in (100, 1499):
            peaks.append(rss_bytes())
    assert n == 1500
    growth = peaks[1] - peaks[0]
    assert growth < 60 * 1024 * 1024, f"RSS grew by {growth / 1e6:.0f} MB over 1400 frames"


# --- H264Writer ------------------------------------------------------------------------------------


def test_writer_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    rng = np.random.default_rng(0)
    with H264Writer(out, fps=30.0, width=320, height=180) as w:
        for i in range(50):
            img = np.full((180, 320, 3), frame_level(i), np.uint8)
            img[:60, :100] = (230, 20, 20)
            img[170:, :] = rng.integers(0, 255, (10, 320, 3), dtype=np.uint8)  # some texture
            w.write(img)
    meta = probe_video(out)
    assert (meta.codec, meta.width, meta.height, meta.n_frames) == ("h264", 320, 180, 50)
    assert meta.fps == pytest.approx(30.0)
    frames = list(iter_frames(out))
    assert len(frames) == 50
    np.testing.assert_allclose([f.t_s for f in frames], np.arange(50) / 30.0, atol=1e-4)
    assert abs(float(frames[20].rgb[80:160, 150:300].mean()) - frame_level(20)) < 4
    assert red_corner(frames[0].rgb) == "tl"


def test_writer_is_browser_playable(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with H264Writer(out, fps=30.0, width=160, height=96) as w:
        for i in range(10):
            w.write(np.full((96, 160, 3), frame_level(i), np.uint8))
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
        assert s.codec_context.profile in ("High", "Main", "Constrained Baseline")
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "+faststart: index before media data"


def test_writer_odd_size_is_cropped_to_even(tmp_path: Path) -> None:
    out = tmp_path / "odd.mp4"
    with H264Writer(out, fps=25.0, width=161, height=97) as w:
        for i in range(5):
            w.write(np.full((97, 161, 3), frame_level(i), np.uint8))
    meta = probe_video(out)
    assert (meta.width, meta.height, meta.n_frames) == (160, 96, 5)


def test_writer_keeps_variable_timestamps(tmp_path: Path) -> None:
    out = tmp_path / "vfr.mp4"
    times = [0.0, 0.040, 0.070, 0.200, 0.210, 0.600]
    with H264Writer(out, fps=30.0, width=160, height=96) as w:
        for i, t in enumerate(times):
            w.write(np.full((96, 160, 3), frame_level(i), np.uint8), t_s=t)
    frames = list(iter_frames(out))
    np.testing.assert_allclose([f.t_s for f in frames], times, atol=1e-4)


def test_writer_rejects_wrong_frame_and_discards_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "x.mp4"
    with pytest.raises(ValueError, match="expected a 96x160x3"), H264Writer(out, 30.0, 160, 96) as w:
        w.write(np.zeros((96, 160, 3), np.uint8))
        w.write(np.zeros((100, 160, 3), np.uint8))
    assert not out.exists()
