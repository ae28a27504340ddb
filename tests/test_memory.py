"""Peak memory of a whole sit-and-reach analysis (pose, people counter and hand model), measured in a
child process so the test's own imports and models do not count.

Goal (issue 12): <= 600 MB at 960x540. The sample clip peaked at 478 MB once the hand model ran beside
a single pose model and glibc's mmap threshold was fixed (`vision/workers.py`, `vision/malloc.py`);
with a pose + hand pair per worker it peaked at 615-677 MB on the same machine. The limit sits
between the two with room for other library builds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "sample_videos" / "sitreach_left_near_short_heavy_f.mp4"
LIMIT_MB = 560.0

# VmHWM, not ru_maxrss: on Linux ru_maxrss carries the parent's peak over fork + exec (the child of a
# pytest process that had run the accuracy tests "peaked" at 722 MB; it measures 444 MB on its own).
CHILD = """
import json, re, sys
from pathlib import Path
from analysis.pipeline import AnalysisOptions, analyze_video
r = analyze_video(Path(sys.argv[1]), AnalysisOptions(test="sit-reach", height_cm=165.0))
hwm_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print("RESULT " + json.dumps({
    "peak_rss_mb": hwm_kb / 1024,
    "reach_cm": r.reach_cm,
    "checks": [c.code for c in r.checks],
}))
"""


@pytest.mark.slow
def test_sit_and_reach_analysis_peaks_below_the_memory_goal() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(CLIP)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    got = json.loads(line[len("RESULT ") :])
    # The hand model really ran: the reach comes from fingertips, not from the pose knuckles.
    assert got["reach_cm"] is not None and "fingertips_estimated" not in got["checks"]
    assert got["peak_rss_mb"] < LIMIT_MB, got
