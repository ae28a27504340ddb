"""Turn a sample clip into the .y4m file Chromium plays as a fake camera (PyAV, at test time)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av


def to_y4m(src: Path, dst: Path, max_width: int = 640, lead_in_s: float = 0.0) -> tuple[int, float]:
    """Decode `src`, scale to at most `max_width`, write raw yuv420p frames; returns (frames, fps).

    `lead_in_s` repeats the first frame first (the person lying still before the test), so a
    camera that starts anywhere shows the start position long enough to be seen.
    """
    with av.open(str(src)) as inp:
        stream = inp.streams.video[0]
        fps = float(stream.average_rate or 30)
        w, h = stream.codec_context.width, stream.codec_context.height
        scale = min(1.0, max_width / w)
        out_w, out_h = int(w * scale) // 2 * 2, int(h * scale) // 2 * 2
        n = 0
        with av.open(str(dst), "w", format="yuv4mpegpipe") as out:
            vs = out.add_stream("rawvideo", rate=Fraction(fps).limit_denominator(1001))
            vs.width, vs.height, vs.pix_fmt = out_w, out_h, "yuv420p"
            for frame in inp.decode(stream):
                img = frame.reformat(width=out_w, height=out_h, format="yuv420p")
                repeats = 1 + (round(lead_in_s * fps) if n == 0 else 0)
                for _ in range(repeats):
                    img.pts, img.time_base = n, Fraction(1, round(fps))
                    for packet in vs.encode(img):
                        out.mux(packet)
                    n += 1
            for packet in vs.encode():
                out.mux(packet)
    return n, fps
