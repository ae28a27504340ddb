"""glibc malloc settings for a process that runs pose on several threads.

Measured on the sit-and-reach sample (960x540, two pose workers, peak RSS from /proc/self/status):
with glibc's defaults the peak crept up from ~625 MB after the models had loaded to ~673 MB by the
end of a 6 s clip, and kept growing with clip length. The cause is glibc's *dynamic* mmap threshold:
after the first decoded frame (1.5 MB at 960x540) is freed, glibc raises the threshold above that
size, so every later frame comes from a per-thread heap arena, and frames freed on one thread while
the models' buffers sit between them leave holes those heaps never give back. A fixed threshold keeps
every frame-sized block in its own mapping, returned to the system on free: the same run peaked at
~637 MB and stayed flat. (MALLOC_ARENA_MAX=2 on its own saved ~18 MB and nothing on top of this.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3  # mallopt parameter numbers from glibc's malloc.h
# Blocks this large or larger get their own mapping: every frame (>= 0.5 MB even at 640x360), not
# the many small buffers. glibc starts at 128 KB and raises it up to 32 MB; 256 KB gave the flat peak.
MMAP_THRESHOLD_BYTES = 256 * 1024


def keep_frames_out_of_heap(threshold_bytes: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold at `threshold_bytes` (process-wide; idempotent).

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
    return bool(mallopt(M_MMAP_THRESHOLD, int(threshold_bytes)))
