"""The product's vocabularies, named once: tests, sides, severities, sources, sexes, SLR modes.

Every layer (engine, scoring, history, CLI, UI) imports these names from here, so the CLI and the app
can never disagree on what a test or a side is called. A leaf module: it imports nothing of ours.
"""

from __future__ import annotations

from typing import Literal, get_args

TestKind = Literal["slr", "sit-reach"]
Side = Literal["left", "right"]
Severity = Literal["info", "warning", "error"]  # error: invalid; warning: lowers confidence; info: how
Source = Literal["webcam", "upload", "cli", "batch"]  # how a saved measurement was made
Sex = Literal["female", "male", "other"]
# Straight-leg raise: the person raises the leg (active) or a helper lifts it (passive).
SlrMode = Literal["active", "passive"]

TESTS: tuple[TestKind, ...] = get_args(TestKind)
SIDES: tuple[Side, ...] = get_args(Side)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
SOURCES: tuple[Source, ...] = get_args(Source)
SEXES: tuple[Sex, ...] = get_args(Sex)
SLR_MODES: tuple[SlrMode, ...] = get_args(SlrMode)
