"""Silencing native stderr from two pose worker threads at once must not lose stderr for good."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import os, threading
from vision.pose import quiet_native_stderr
a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
def a():
    with quiet_native_stderr():
        a_in.set(); b_in.wait(); os.write(2, b"hidden-a\\n")
    a_out.set()
def b():
    a_in.wait()
    with quiet_native_stderr():  # opens while a's section is open, closes after it
        b_in.set(); a_out.wait(); os.write(2, b"hidden-b\\n")
ts = [threading.Thread(target=f) for f in (a, b)]
[t.start() for t in ts]; [t.join() for t in ts]
os.write(2, b"visible-after\\n")
"""


def test_overlapping_quiet_sections_restore_stderr() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "visible-after" in proc.stderr
    assert "hidden-a" not in proc.stderr and "hidden-b" not in proc.stderr
