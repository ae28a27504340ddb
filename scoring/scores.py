"""Bands, norms, measurement error, asymmetry and session-to-session change (pure functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from analysis.result import Side, TestKind
from scoring.data_files import Band, HfzRow, YmcaRow, cite, thresholds

SexKey = Literal["male", "female", "unknown"]
CM_PER_INCH = 2.54  # unit conversion, not a health threshold

# Physically plausible ranges: outside them the number is a tracking error, not a person.
_PLAUSIBLE = {"slr": (0.0, 150.0), "sit-reach": (-80.0, 80.0)}


@dataclass(frozen=True)
class Profile:
    age_years: int | None = None
    sex: str | None = None  # "female" | "male" | anything else = unknown

    @property
    def sex_key(self) -> SexKey:
        s = (self.sex or "").strip().lower()
        if s in ("male", "m", "man", "boy"):
            return "male"
        if s in ("female", "f", "woman", "girl"):
            return "female"
        return "unknown"


@dataclass(frozen=True)
class BandEdge:
    """A band for charts: lo/hi in the test's unit (None = open-ended)."""

    lo: float | None
    hi: float | None
    id: str
    label: str


@dataclass(frozen=True)
class NormResult:
    table: str  # e.g. "YMCA sit-and-reach (adults)"
    category: str  # e.g. "average", "Healthy Fitness Zone"
    detail: str  # plain-language explanation incl. the cut used
    source: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    test: TestKind
    scored: bool
    reason: str  # why not scored; "" when scored
    value: float | None  # the scored value: SLR angle (deg) or reach (cm rel. toes)
    unit: str
    band_id: str | None
    band_label: str | None
    meaning: str
    norm: NormResult | None
    angle_deg: float | None
    reach_cm: float | None
    notes: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Asymmetry:
    test: TestKind
    left: float
    right: float
    difference: float  # absolute, in the test's unit
    mdc: float
    flagged: bool
    tighter_side: Side | None  # only set when flagged
    message: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    test: TestKind
    before: float | None
    after: float | None
    delta: float | None  # after - before
    mdc: float
    label: Literal["real change", "within measurement error", "not compared"]
    direction: Literal["better", "worse", "none"]
    message: str
    sources: tuple[str, ...]


def _check_test(test: str) -> TestKind:
    if test == "slr":
        return "slr"
    if test == "sit-reach":
        return "sit-reach"
    raise ValueError(f"unknown test {test!r}: expected 'slr' or 'sit-reach'")


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(float(x))


def mdc(test: str, sex: str | None = None) -> float:
    """Minimal detectable change for the test (deg for SLR, cm for sit-reach)."""
    entry = thresholds().mdc[_check_test(test)]
    return entry.by_sex[Profile(sex=sex).sex_key]


def mdc_sources(test: str) -> tuple[str, ...]:
    return cite(thresholds().mdc[_check_test(test)].source)


def unit(test: str) -> str:
    return thresholds().units[_check_test(test)]


def band_for(test: str, value: float) -> Band:
    for band in thresholds().bands[_check_test(test)]:
        if band.contains(value):
            return band
    raise ValueError(f"no band covers {value} for {test}")  # data error: bands must tile the line


def slr_bands() -> list[BandEdge]:
    return [BandEdge(b.lo, b.hi, b.id, b.label) for b in thresholds().bands["slr"]]


def sit_reach_bands(profile: Profile | None = None) -> list[BandEdge]:
    """Generic toe-line bands, or the YMCA categories (cm relative to the toes) when the profile has a row."""
    row = _ymca_row(profile) if profile is not None else None
    if row is None:
        return [BandEdge(b.lo, b.hi, b.id, b.label) for b in thresholds().bands["sit-reach"]]
    zero_in = thresholds().norms.ymca_zero_in
    edges: list[BandEdge] = []
    cats = row.categories
    for i, cat in enumerate(cats):
        lo = None if cat.from_in is None else (cat.from_in - zero_in) * CM_PER_INCH
        nxt = cats[i + 1].from_in if i + 1 < len(cats) else None
        hi = None if nxt is None else (nxt - zero_in) * CM_PER_INCH
        edges.append(BandEdge(lo, hi, cat.label.replace(" ", "_"), cat.label))
    return edges


def bands(test: str, profile: Profile | None = None) -> list[BandEdge]:
    return slr_bands() if _check_test(test) == "slr" else sit_reach_bands(profile)


def _ymca_row(profile: Profile | None) -> YmcaRow | None:
    if profile is None or profile.age_years is None or profile.sex_key == "unknown":
        return None
    for row in thresholds().norms.ymca_rows:
        if row.sex == profile.sex_key and row.age_min <= profile.age_years <= row.age_max:
            return row
    return None


def _hfz_row(profile: Profile | None) -> HfzRow | None:
    if profile is None or profile.age_years is None or profile.sex_key == "unknown":
        return None
    for row in thresholds().norms.fitnessgram_rows:
        if row.sex == profile.sex_key and row.age_min <= profile.age_years <= row.age_max:
            return row
    return None


def sit_reach_norm(reach_cm: float, profile: Profile | None) -> NormResult | None:
    """Category against age/sex norms, or None when the profile has no matching table row."""
    norms = thresholds().norms
    row = _ymca_row(profile)
    if row is not None:
        score_in = norms.ymca_zero_in + reach_cm / CM_PER_INCH
        category = row.categories[0]
        for cat in row.categories:
            if cat.from_in is None or score_in >= cat.from_in:
                category = cat
        return NormResult(
            table=norms.ymca_name,
            category=category.label,
            detail=(
                f"{reach_cm:+.1f} cm from the toes is {score_in:.1f} in on the YMCA scale "
                f"(toes = {norms.ymca_zero_in:g} in): '{category.label}' for {row.sex}s aged "
                f"{row.age_min}-{row.age_max}."
            ),
            source=cite(row.source) + cite(norms.ymca_zero_source),
        )
    hfz = _hfz_row(profile)
    if hfz is not None:
        needed_cm = (hfz.hfz_min_in - norms.fitnessgram_zero_in) * CM_PER_INCH
        ok = reach_cm >= needed_cm
        return NormResult(
            table=norms.fitnessgram_name,
            category="Healthy Fitness Zone" if ok else "Needs Improvement",
            detail=(
                f"The Healthy Fitness Zone starts at {hfz.hfz_min_in:g} in, i.e. {needed_cm:+.1f} cm from the toes, "
                f"for {'boys' if hfz.sex == 'male' else 'girls'} aged {hfz.age_min}-{hfz.age_max}. "
                f"{norms.fitnessgram_caveat}"
            ),
            source=cite(hfz.source) + cite(norms.fitnessgram_zero_source),
        )
    return None


def _not_scored(test: TestKind, reason: str, angle_deg: float | None, reach_cm: float | None) -> Score:
    return Score(
        test=test,
        scored=False,
        reason=reason,
        value=None,
        unit=unit(test),
        band_id=None,
        band_label=None,
        meaning="Not scored: " + reason,
        norm=None,
        angle_deg=angle_deg,
        reach_cm=reach_cm,
        notes=(),
        sources=(),
    )


def score_measurement(
    test: str,
    angle_deg: float | None,
    reach_cm: float | None,
    valid: bool,
    profile: Profile | None = None,
    *,
    low_confidence: bool = False,
    invalid_reason: str = "",
) -> Score:
    """Classify one measurement. Invalid, low-confidence or implausible input is never scored.

    `angle_deg` is the SLR angle (slr) or the trunk-thigh hip angle (sit-reach, informational);
    `reach_cm` is the sit-reach fingertip reach relative to the toes (+ = past the toes).
    """
    t = _check_test(test)
    if not valid:
        why = "the measurement did not pass the quality checks"
        return _not_scored(
            t, f"{why} ({invalid_reason})." if invalid_reason else f"{why}.", angle_deg, reach_cm
        )
    if low_confidence:
        return _not_scored(
            t, "the pose tracking confidence was too low to trust the number.", angle_deg, reach_cm
        )
    value = angle_deg if t == "slr" else reach_cm
    if not _finite(value):
        what = "straight-leg-raise angle" if t == "slr" else "fingertip reach relative to the toes"
        extra = "" if t == "slr" else " The hip angle alone has no verified norm."
        return _not_scored(t, f"no {what} was measured.{extra}", angle_deg, reach_cm)
    assert value is not None
    lo, hi = _PLAUSIBLE[t]
    if not lo <= value <= hi:
        return _not_scored(
            t,
            f"{value:.1f} {unit(t)} is outside the plausible range {lo:g} to {hi:g} {unit(t)}, so it is a tracking error.",
            angle_deg,
            reach_cm,
        )
    band = band_for(t, value)
    notes: list[str] = []
    norm: NormResult | None = None
    if t == "sit-reach":
        norm = sit_reach_norm(value, profile)
        if norm is None:
            notes.append("Add your age and sex (female/male) to compare with age and sex norms.")
        if _finite(angle_deg):
            notes.append(
                f"Hip (trunk-thigh) angle {angle_deg:.0f} deg is shown for information only. {thresholds().hip_angle_note}"
            )
    else:
        notes.append(
            "The straight-leg-raise bands are the same for everyone; the sources give no age or sex norms."
        )
    srcs = cite(band.source) + (norm.source if norm else ())
    return Score(
        test=t,
        scored=True,
        reason="",
        value=float(value),
        unit=unit(t),
        band_id=band.id,
        band_label=band.label,
        meaning=band.meaning,
        norm=norm,
        angle_deg=angle_deg,
        reach_cm=reach_cm,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(srcs)),  # de-duplicate, keep order
    )


def asymmetry(test: str, left_value: float, right_value: float, sex: str | None = None) -> Asymmetry:
    """Left/right difference, flagged only when it exceeds the test's MDC."""
    t = _check_test(test)
    if not (_finite(left_value) and _finite(right_value)):
        raise ValueError("both sides need a measured value to compare left and right")
    limit = mdc(t, sex)
    diff = abs(left_value - right_value)
    u = unit(t)
    flagged = diff > limit
    tighter: Side | None = None
    if flagged:
        tighter = "left" if left_value < right_value else "right"  # smaller angle/reach = tighter
        msg = (
            f"Your {tighter} side is tighter: the sides differ by {diff:.0f} {u}, more than the "
            f"{limit:g} {u} that measurement error alone can explain."
        )
    else:
        msg = (
            f"No real difference between sides: {diff:.0f} {u} is within the {limit:g} {u} "
            "that repeated measurements vary by anyway."
        )
    return Asymmetry(
        t, float(left_value), float(right_value), diff, limit, flagged, tighter, msg, mdc_sources(t)
    )


def _value_of(x: float | Score | None) -> float | None:
    if isinstance(x, Score):
        return x.value if x.scored else None
    return float(x) if x is not None and _finite(x) else None


def compare_sessions(
    test: str, before: float | Score | None, after: float | Score | None, sex: str | None = None
) -> Change:
    """Change between two sessions; "real change" only beyond the MDC. Unscored inputs are not compared."""
    t = _check_test(test)
    limit = mdc(t, sex)
    b, a = _value_of(before), _value_of(after)
    u = unit(t)
    if b is None or a is None:
        return Change(
            t,
            b,
            a,
            None,
            limit,
            "not compared",
            "none",
            "Not compared: one of the two sessions has no valid score.",
            mdc_sources(t),
        )
    delta = a - b
    if abs(delta) <= limit:
        return Change(
            t,
            b,
            a,
            delta,
            limit,
            "within measurement error",
            "none",
            f"A change of {delta:+.1f} {u} is within measurement error ({limit:g} {u}); "
            "treat it as no change yet.",
            mdc_sources(t),
        )
    direction: Literal["better", "worse"] = (
        "better" if delta > 0 else "worse"
    )  # more angle/reach = more flexible
    return Change(
        t,
        b,
        a,
        delta,
        limit,
        "real change",
        direction,
        f"Real change: {delta:+.1f} {u} is more than the {limit:g} {u} measurement error, "
        f"so your flexibility got {direction}.",
        mdc_sources(t),
    )
