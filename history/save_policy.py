"""One rule for what may be saved in the history, used by the CLI and the app alike.

Only a result that passed the checks is saved: an invalid number in the history would be charted
next to real ones and compared against the measurement error as if it were one. The person's name
is checked with the store's own rule before any analysis runs, so a bad name is answered at once
instead of after minutes of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from history.validation import validate_person

if TYPE_CHECKING:
    from analysis.result import AnalysisResult


@dataclass(frozen=True)
class SaveDecision:
    allowed: bool
    reason: str = ""  # why not, in plain words (empty when allowed)


def save_decision(result: AnalysisResult) -> SaveDecision:
    """May this analysis be saved? Valid results only; the reason names the failed checks."""
    if result.valid:
        return SaveDecision(True)
    errors = [c.message for c in result.errors]
    if errors:
        return SaveDecision(False, "the recording did not pass the checks: " + " ".join(errors))
    return SaveDecision(False, "no repetition was measured in the recording.")


def check_person_name(name: str) -> str:
    """The cleaned name, or `HistoryError` with the store's own message (same rule as `add_person`)."""
    return validate_person(name, None, None, None)
