"""glibc malloc settings for a process that runs pose on several threads.

Measured on the sit-and-reach sample (960x540, two pose workers, peak RSS from /proc/self/status):
with glibc's defaults the peak crept up from ~625 MB after the models had loaded to ~673 MB by the
end of a 6 s clip, and kept growing with clip length. The cause is glibc's *dynamic* mmap threshold:
once a large block (a frame, a model's scratch buffer) is freed, glibc raises the threshold above its
size, so later blocks of that size come from the per-thread heap arenas, and blocks freed on one
thread while smaller buffers sit between them leave holes those heaps never give back. A fixed
threshold keeps every block above it in its own mapping, returned to the system on free.

Where to fix it: every block above the threshold is a fresh mapping whose pages are faulted in and
zeroed again on each use. At 256 KB (every frame and MediaPipe's per-frame tensors) the ~32 s SLR
clip took 4.8-5.3 s of system time against 1.2 s with the defaults, ~20% of the analysis' wall time
(17.7-21.4 s against 14.3-15.3 s). At 2 MB the peak stays as flat (529-539 MB at 32 s, 540 at 96 s;
the defaults: 533 then 606; 256 KB: 500 then 508) for a third of that system time, so the
analysis runs at about the defaults' speed (`analyze_video` on the SLR sample looped to 32 and 96 s,
2026-12-02; benchmarks/speed.py prints the same figures). Frames the model sees at 1280x720 (2.8 MB)
stay above it.

The heap arenas are also capped at two (`M_ARENA_MAX`): glibc gives threads up to 8 per core, and the
pose, hand, decoder and MediaPipe threads each filled their own, so the peak still varied from run to
run (32 s clip 582-636 MB, 96 s 622-636 MB, 2026-12-02 11:10 UTC). Capped: 525-549 MB at 32 s and
537-544 MB at 96 s, half the minor page faults, and no slower (wall 9.8 / 12.3 s against 10.6 / 14.2 s,
alternating runs).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3  # mallopt parameter numbers from glibc's malloc.h
M_ARENA_MAX = -8
# Blocks this large or larger get their own mapping. glibc starts at 128 KB and raises it up to 32 MB
# on its own; fixed at 2 MB the peak stays flat in clip length at a third of 256 KB's system time.
MMAP_THRESHOLD_BYTES = 2 * 1024 * 1024
MAX_ARENAS = 2  # one per core on the 2-core machines this is built for


def keep_frames_out_of_heap(threshold_bytes: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold at `threshold_bytes` and cap its heap arenas at `MAX_ARENAS`
    (process-wide; idempotent; arenas already made stay).

    Returns False where it does not apply (not Linux/glibc, e.g. macOS or musl): nothing changes there.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    arenas_capped = bool(mallopt(M_ARENA_MAX, MAX_ARENAS))
    return bool(mallopt(M_MMAP_THRESHOLD, int(threshold_bytes))) and arenas_capped
