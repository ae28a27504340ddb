"""The symptom screen: one vocabulary for the CLI, the app and the history.

The questions are asked before any plan is shown. Answers are plain values so they can be saved with a
measurement (history `symptoms` JSON) and read back with `Symptoms.from_dict`.

CLI form (comma-separated): ``none`` or any of ``pain_now, severe_pain, recent_strain:GRADE (1-3),
tingling, numbness, shooting_pain, pain_behind_knee, calf_swelling, leg_weakness, bladder_bowel``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Strain = Literal["mild", "moderate", "severe"]
# Clinical strain grades 1-3 map onto the source article's mild / moderate / severe rows.
STRAIN_BY_GRADE: dict[int, Strain] = {1: "mild", 2: "moderate", 3: "severe"}


@dataclass(frozen=True)
class Question:
    key: str  # the CLI token and the saved dict key
    text: str  # what the person is asked (app checkbox, CLI prompt)
    kind: Literal["red_flag", "nerve", "strain", "pain", "knee"]


# Red flags first: the screen shows them first and any "yes" stops the plan.
QUESTIONS: tuple[Question, ...] = (
    Question("severe_pain", "Severe pain right now, or a sudden sharp pain with a 'pop' in the back of the thigh", "red_flag"),
    Question("bladder_bowel", "New trouble controlling your bladder or bowel, or numbness around the groin or bottom", "red_flag"),
    Question("leg_weakness", "New weakness in the leg or foot (for example the foot drags or slaps)", "red_flag"),
    Question("calf_swelling", "A swollen, warm or red calf or back of the knee", "red_flag"),
    Question("tingling", "Tingling ('pins and needles') down the leg", "nerve"),
    Question("numbness", "Numbness down the leg", "nerve"),
    Question("shooting_pain", "Shooting or burning pain down the back of the leg", "nerve"),
    Question("recent_strain", "A hamstring strain in the last weeks (grade 1 mild, 2 moderate, 3 severe tear)", "strain"),
    Question("pain_now", "Pain in the back of the thigh or knee now (mild to moderate)", "pain"),
    Question("pain_behind_knee", "Pain or pulling behind the knee", "knee"),
)  # fmt: skip
QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
RED_FLAG_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.kind == "red_flag")
NERVE_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.kind == "nerve")


@dataclass(frozen=True)
class Symptoms:
    """Answers to the screen. All False / None = answered "none of these"."""

    severe_pain: bool = False
    bladder_bowel: bool = False
    leg_weakness: bool = False
    calf_swelling: bool = False
    tingling: bool = False
    numbness: bool = False
    shooting_pain: bool = False
    strain_grade: int | None = None  # 1, 2 or 3; None = no recent strain
    pain_now: bool = False
    pain_behind_knee: bool = False

    def __post_init__(self) -> None:
        if self.strain_grade is not None and self.strain_grade not in STRAIN_BY_GRADE:
            raise ValueError(f"a strain grade is 1, 2 or 3, not {self.strain_grade!r}")

    @property
    def strain(self) -> Strain | None:
        return None if self.strain_grade is None else STRAIN_BY_GRADE[self.strain_grade]

    @property
    def red_flags(self) -> tuple[str, ...]:
        """Keys of the answers that stop the plan (a grade 3 tear counts as one)."""
        keys = [k for k in RED_FLAG_KEYS if getattr(self, k)]
        if self.strain_grade == 3:
            keys.append("severe_strain")
        return tuple(keys)

    @property
    def nerve(self) -> bool:
        return any(getattr(self, k) for k in NERVE_KEYS)

    @property
    def reported(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the history `symptoms` field."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Symptoms:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def describe(self) -> str:
        """The answers in words, for reports and the CLI ("none" when nothing was reported)."""
        parts = [k.replace("_", " ") for k in QUESTION_KEYS if k != "recent_strain" and getattr(self, k)]
        if self.strain_grade is not None:
            parts.append(f"recent strain grade {self.strain_grade} ({self.strain})")
        return ", ".join(parts) if parts else "none"


def parse_symptoms(text: str) -> Symptoms:
    """Parse the CLI form; raises ValueError with a one-line message naming the bad token."""
    tokens = [t.strip().lower().replace("-", "_") for t in text.split(",") if t.strip()]
    if not tokens:
        raise ValueError("--symptoms is empty: give 'none' or a comma-separated list")
    if "none" in tokens:
        if len(tokens) > 1:
            raise ValueError("--symptoms 'none' cannot be combined with other answers")
        return Symptoms()
    values: dict[str, Any] = {}
    for tok in tokens:
        key, sep, arg = tok.partition(":")
        if key == "recent_strain":
            if not sep or arg not in ("1", "2", "3"):
                raise ValueError(f"--symptoms {tok!r}: give the strain grade as recent_strain:1, :2 or :3")
            values["strain_grade"] = int(arg)
        elif key in QUESTION_KEYS and not sep:
            values[key] = True
        else:
            raise ValueError(f"--symptoms: unknown answer {tok!r}; use none or {', '.join(cli_tokens())}")
    return Symptoms(**values)


def cli_tokens() -> tuple[str, ...]:
    return tuple("recent_strain:GRADE" if k == "recent_strain" else k for k in QUESTION_KEYS)
