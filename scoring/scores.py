"""Bands, norms, measurement error, asymmetry and session-to-session change (pure functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from analysis.result import Side, TestKind
from flexcheck.vocabulary import SLR_MODES, SlrMode
from scoring.data_files import Band, HfzRow, YmcaRow, cite, split_source, thresholds

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
    slr_mode: SlrMode | None = None  # SLR only: which band set applied
    check_first: str = ""  # non-empty: have it checked before stretching (very low SLR)
    context: tuple[str, ...] = ()  # facts shown beside the verdict, never a second verdict


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
class Session:
    """One saved session for comparisons: only the same test, leg and SLR mode are compared."""

    value: float | None
    side: Side | None = None
    slr_mode: SlrMode | None = None
    uncertainty: float | None = None  # engine's 90% half-width in the test's unit; None = unknown


@dataclass(frozen=True)
class Change:
    test: TestKind
    before: float | None
    after: float | None
    delta: float | None  # after - before
    mdc: float
    label: Literal["likely change", "within measurement error", "not compared"]
    direction: Literal["better", "worse", "none"]
    message: str
    sources: tuple[str, ...]
    threshold: float | None = None  # the combined error the change had to exceed


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


def check_slr_mode(mode: str | None) -> SlrMode:
    """The SLR mode; None means active (FlexCheck's guidance has people raise their own leg)."""
    if mode is None or mode == "active":
        return "active"
    if mode == "passive":
        return "passive"
    raise ValueError(f"unknown SLR mode {mode!r}: expected one of {', '.join(SLR_MODES)}")


def _band_set(test: TestKind, slr_mode: str | None) -> tuple[Band, ...]:
    key = check_slr_mode(slr_mode) if test == "slr" else "sit-reach"
    return thresholds().bands[key]


def band_for(test: str, value: float, slr_mode: str | None = None) -> Band:
    for band in _band_set(_check_test(test), slr_mode):
        if band.contains(value):
            return band
    raise ValueError(f"no band covers {value} for {test}")  # data error: bands must tile the line


def slr_bands(slr_mode: str | None = None) -> list[BandEdge]:
    return [BandEdge(b.lo, b.hi, b.id, b.label) for b in _band_set("slr", slr_mode)]


def sit_reach_bands(profile: Profile | None = None) -> list[BandEdge]:
    """Generic toe-line bands, or the YMCA categories (cm relative to the toes) when the profile has a row."""
    row = _ymca_row(profile) if profile is not None else None
    if row is None:
        hfz = _hfz_row(profile)
        if hfz is not None:
            norms = thresholds().norms
            cut = (hfz.hfz_min_in - norms.fitnessgram_zero_in) * CM_PER_INCH
            return [
                BandEdge(None, cut, "needs_improvement", "Needs Improvement"),
                BandEdge(cut, None, "healthy_fitness_zone", "Healthy Fitness Zone"),
            ]
        return [BandEdge(b.lo, b.hi, b.id, b.label) for b in thresholds().bands["sit-reach"]]
    zero_in = thresholds().norms.ymca_zero_in
    edges: list[BandEdge] = []
    cats = row.categories
    for i, cat in enumerate(cats):
        lo = None if cat.from_in is None else (cat.from_in - zero_in) * CM_PER_INCH
        nxt = cats[i + 1].from_in if i + 1 < len(cats) else None
        hi = None if nxt is None else (nxt - zero_in) * CM_PER_INCH
        edges.append(BandEdge(lo, hi, norm_band_id(cat.label), cat.label))
    return edges


def bands(test: str, profile: Profile | None = None, slr_mode: str | None = None) -> list[BandEdge]:
    return slr_bands(slr_mode) if _check_test(test) == "slr" else sit_reach_bands(profile)


def band_label(test: str, band_id: str, profile: Profile | None = None, slr_mode: str | None = None) -> str:
    """The words for a saved band id, as every view shows it (app, report, FHIR).

    Looked up in the bands for this profile and SLR mode, then in the general bands (a band saved
    before the person's age/sex was known); an unknown id (e.g. from an older release) in words.
    """
    known = [*bands(test, profile, slr_mode), *bands(test, None, slr_mode)]
    return next((e.label for e in known if e.id == band_id), band_id.replace("_", " "))


def norm_band_id(category: str) -> str:
    """The band id of a norm category ("below average" -> "below_average"), as in sit_reach_bands."""
    return category.lower().replace(" ", "_")


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
                + (
                    " This cut-off is not yet confirmed in the published table."
                    if split_source(hfz.source)[1]
                    else ""
                )
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
    slr_mode: str | None = None,
) -> Score:
    """Classify one measurement into ONE verdict. Invalid, low-confidence or implausible input is never scored.

    `angle_deg` is the SLR angle (slr) or the trunk-thigh hip angle (sit-reach, informational);
    `reach_cm` is the sit-reach fingertip reach relative to the toes (+ = past the toes).
    `slr_mode` ("active" self-raised, the default, or "passive" helper-lifted) picks the SLR band set.
    Sit-and-reach: with an age/sex norm row the norm category is the verdict (band_id/band_label)
    and the toe line is only context; without one the toe line is the verdict.
    """
    t = _check_test(test)
    mode = check_slr_mode(slr_mode) if t == "slr" else None
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
    band = band_for(t, value, mode)
    notes: list[str] = []
    context: list[str] = []
    norm: NormResult | None = None
    band_id, band_label, meaning = band.id, band.label, band.meaning
    srcs = cite(band.source)
    check_first = ""
    if t == "sit-reach":
        norm = sit_reach_norm(value, profile)
        if norm is None:
            notes.append("Add your age and sex (female/male) to compare with age and sex norms.")
        else:  # the norm is the verdict; the toe line becomes a neutral fact
            band_id, band_label = norm_band_id(norm.category), norm.category[:1].upper() + norm.category[1:]
            meaning, srcs = norm.detail, norm.source
            context.append(_toe_context(value))
        if _finite(angle_deg):
            notes.append(
                f"Hip (trunk-thigh) angle {angle_deg:.0f} deg is shown for information only. {thresholds().hip_angle_note}"
            )
    else:
        slr = thresholds().slr
        if mode == "active":
            notes.append(slr.active_note)
            srcs += cite(slr.active_note_source)
        notes.append(
            "The straight-leg-raise bands are the same for everyone; the sources give no age or sex norms."
        )
        if value < slr.check_first_below_deg:
            check_first = slr.check_first_message
            srcs += cite(slr.check_first_source)
    return Score(
        test=t,
        scored=True,
        reason="",
        value=float(value),
        unit=unit(t),
        band_id=band_id,
        band_label=band_label,
        meaning=meaning,
        norm=norm,
        angle_deg=angle_deg,
        reach_cm=reach_cm,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(srcs)),  # de-duplicate, keep order
        slr_mode=mode,
        check_first=check_first,
        context=tuple(context),
    )


def _toe_context(reach_cm: float) -> str:
    """Where the fingertips stopped, in plain words, without a pass/fail judgement."""
    texts = thresholds().toe_context
    if abs(reach_cm) < 0.5:
        return texts["at"].format(cm=abs(reach_cm))
    return texts["short" if reach_cm < 0 else "past"].format(cm=abs(reach_cm))


def asymmetry(test: str, left_value: float, right_value: float, sex: str | None = None) -> Asymmetry:
    """Left/right difference of the SLR, flagged only when it exceeds the MDC.

    Sit-and-reach has no left/right comparison: both legs are tested at once and the "side" is only
    which way the person faced the camera.
    """
    t = _check_test(test)
    if t == "sit-reach":
        raise ValueError("sit-and-reach tests both legs at once: there is no left/right comparison")
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


def _value_of(x: float | Score | Session | None) -> float | None:
    if isinstance(x, Session):
        x = x.value
    if isinstance(x, Score):
        return x.value if x.scored else None
    return float(x) if x is not None and _finite(x) else None


def engine_error_95(test: str, uncertainty_90: float | None) -> tuple[float, bool]:
    """FlexCheck's own error for one session as a 95% half-width, and whether it was the default.

    The engine reports a 90% half-width; scaled by 1.96/1.645 so it matches the 95% MDC. Unknown
    (None) falls back to the stated default engine error in thresholds.json.
    """
    rule = thresholds().change
    if uncertainty_90 is None or not _finite(uncertainty_90):
        return rule.default_engine_error[_check_test(test)], True
    return float(uncertainty_90) * rule.z95 / rule.z90, False


def change_threshold(
    test: str, sex: str | None, before_uncertainty: float | None, after_uncertainty: float | None
) -> tuple[float, bool]:
    """sqrt(MDC^2 + u_before^2 + u_after^2): independent errors add in variance. Returns (limit, used default)."""
    u_b, d_b = engine_error_95(test, before_uncertainty)
    u_a, d_a = engine_error_95(test, after_uncertainty)
    return math.sqrt(mdc(test, sex) ** 2 + u_b**2 + u_a**2), d_b or d_a


def _mismatch(before: object, after: object) -> str:
    if not (isinstance(before, Session) and isinstance(after, Session)):
        return ""
    if before.side and after.side and before.side != after.side:
        return "Not compared: the two sessions measured different legs."
    if (before.slr_mode or "active") != (after.slr_mode or "active"):
        return "Not compared: one session raised the leg actively and the other passively, which read differently."
    return ""


def compare_sessions(
    test: str,
    before: float | Score | Session | None,
    after: float | Score | Session | None,
    sex: str | None = None,
    *,
    before_uncertainty: float | None = None,
    after_uncertainty: float | None = None,
) -> Change:
    """Change between two sessions of the same test, leg and SLR mode.

    "likely change" only beyond the combined error: the MDC (test-retest, one examiner, one session,
    goniometer) and FlexCheck's own uncertainty of both sessions, root-sum-square. Uncertainties are
    the engine's 90% half-widths (also read from `Session.uncertainty`); None = unknown, then the
    stated default engine error is used and the message says so.
    """
    t = _check_test(test)
    limit = mdc(t, sex)
    if isinstance(before, Session) and before_uncertainty is None:
        before_uncertainty = before.uncertainty
    if isinstance(after, Session) and after_uncertainty is None:
        after_uncertainty = after.uncertainty
    b, a = _value_of(before), _value_of(after)
    u = unit(t)
    srcs = mdc_sources(t)
    why_not = _mismatch(before, after)
    if not why_not and (b is None or a is None):
        why_not = "Not compared: one of the two sessions has no valid score."
    if why_not:
        return Change(t, b, a, None, limit, "not compared", "none", why_not, srcs)
    assert a is not None and b is not None
    threshold, defaulted = change_threshold(t, sex, before_uncertainty, after_uncertainty)
    delta = a - b
    default_err = thresholds().change.default_engine_error[t]
    how = (
        f"{threshold:.0f} {u} that measurement error could explain (the {limit:g} {u} minimal detectable change, "
        f"measured by one examiner with a goniometer within one session, combined with FlexCheck's own camera "
        f"uncertainty for both sessions"
    )
    how += f"; not known for every session, so +-{default_err:g} {u} was assumed)" if defaulted else ")"
    if defaulted:
        srcs = srcs + cite(thresholds().change.default_source)
    if abs(delta) <= threshold:
        return Change(
            t, b, a, delta, limit, "within measurement error", "none",
            f"A change of {delta:+.1f} {u} is within the {how}. Treat it as no change yet.",
            srcs, threshold,
        )  # fmt: skip
    direction: Literal["better", "worse"] = "better" if delta > 0 else "worse"  # more = more flexible
    moved = "higher" if t == "slr" else "further"
    word = moved if direction == "better" else ("lower" if t == "slr" else "less far")
    return Change(
        t, b, a, delta, limit, "likely change", direction,
        f"Likely change: {delta:+.1f} {u} ({word} than before) is more than the {how}. "
        "Measure again the same way to confirm it.",
        srcs, threshold,
    )  # fmt: skip
