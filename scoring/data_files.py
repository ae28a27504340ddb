"""Load the packaged, cited data files (scoring/data/*.json) into frozen dataclasses.

The JSON files are the single home of every threshold, norm and dose; code holds none of them.
Loading is cached because the files are read-only package data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from flexcheck.vocabulary import TESTS

DATA_FILES: tuple[str, ...] = ("sources.json", "thresholds.json", "exercises.json")


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of a data file (scoring/data/schemas/<stem>.schema.json)."""
    stem = name.removesuffix(".json")
    text = (
        resources.files("scoring")
        .joinpath("data", "schemas", f"{stem}.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_data(name: str, data: Any) -> None:
    """Raise ValueError naming the first place where `data` breaks the file's schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema_for(name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ValueError(f"scoring data file {name} breaks its schema at {where}: {error.message}")


def load_json(name: str) -> dict[str, Any]:
    """Parse and schema-check one packaged data file (fresh copy each call; callers may not mutate the cache)."""
    text = resources.files("scoring").joinpath("data", name).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"scoring data file {name} must hold a JSON object")
    validate_data(name, data)
    return data


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    checked: str


@dataclass(frozen=True)
class Band:
    """A value range with a plain-language meaning. `lo`/`hi` None means open-ended."""

    id: str
    label: str
    lo: float | None
    hi: float | None
    lo_inclusive: bool
    hi_inclusive: bool
    meaning: str
    source: str

    def contains(self, value: float) -> bool:
        if self.lo is not None and (value < self.lo or (value == self.lo and not self.lo_inclusive)):
            return False
        return not (self.hi is not None and (value > self.hi or (value == self.hi and not self.hi_inclusive)))


@dataclass(frozen=True)
class MdcEntry:
    unit: str
    by_sex: dict[str, float]  # keys "male", "female", "unknown"
    source: str
    support: str


@dataclass(frozen=True)
class NormCategory:
    label: str
    from_in: float | None  # lower edge on the protocol's own scale (inches); None = open


@dataclass(frozen=True)
class YmcaRow:
    sex: str
    age_min: int
    age_max: int
    categories: tuple[NormCategory, ...]
    source: str


@dataclass(frozen=True)
class HfzRow:
    sex: str
    age_min: int
    age_max: int
    hfz_min_in: float
    source: str


@dataclass(frozen=True)
class NormTables:
    ymca_name: str
    ymca_zero_in: float
    ymca_zero_source: str
    ymca_rows: tuple[YmcaRow, ...]
    fitnessgram_name: str
    fitnessgram_zero_in: float
    fitnessgram_zero_source: str
    fitnessgram_caveat: str
    fitnessgram_rows: tuple[HfzRow, ...]


@dataclass(frozen=True)
class SlrAdvice:
    check_first_below_deg: float  # below this: have it checked before stretching
    check_first_message: str
    check_first_source: str
    active_note: str
    active_note_source: str


@dataclass(frozen=True)
class ChangeRule:
    z90: float
    z95: float
    default_engine_error: dict[str, float]  # by test, 95% half-width in the test's unit
    default_source: str


@dataclass(frozen=True)
class Thresholds:
    bands: dict[str, tuple[Band, ...]]  # "active" / "passive" (SLR by mode) and "sit-reach"
    units: dict[str, str]
    mdc: dict[str, MdcEntry]
    norms: NormTables
    hip_angle_note: str
    slr: SlrAdvice
    toe_context: dict[str, str]  # "short" / "at" / "past" sentences with {cm}
    change: ChangeRule


def _opt_float(x: Any) -> float | None:
    return None if x is None else float(x)


@cache
def sources() -> dict[str, Source]:
    raw = load_json("sources.json")["sources"]
    return {k: Source(k, v["citation"], v["checked"]) for k, v in raw.items()}


@cache
def thresholds() -> Thresholds:
    raw = load_json("thresholds.json")
    units: dict[str, str] = {test: raw[test]["unit"] for test in TESTS}
    band_lists = {**raw["slr"]["bands"], "sit-reach": raw["sit-reach"]["bands"]}
    bands: dict[str, tuple[Band, ...]] = {
        key: tuple(
            Band(
                id=b["id"],
                label=b["label"],
                lo=_opt_float(b["lo"]),
                hi=_opt_float(b["hi"]),
                lo_inclusive=bool(b["lo_inclusive"]),
                hi_inclusive=bool(b["hi_inclusive"]),
                meaning=b["meaning"],
                source=b["source"],
            )
            for b in items
        )
        for key, items in band_lists.items()
    }
    slr_raw, ch = raw["slr"], raw["change"]
    slr = SlrAdvice(
        float(slr_raw["check_first"]["below_deg"]),
        slr_raw["check_first"]["message"],
        slr_raw["check_first"]["source"],
        slr_raw["active_note"]["text"],
        slr_raw["active_note"]["source"],
    )
    change = ChangeRule(
        float(ch["z90"]),
        float(ch["z95"]),
        {
            "slr": float(ch["default_engine_error"]["slr_deg"]),
            "sit-reach": float(ch["default_engine_error"]["sit-reach_cm"]),
        },
        ch["default_engine_error"]["source"],
    )
    toe = {k: v for k, v in raw["sit-reach"]["toe_context"].items() if k != "source"}
    mdc: dict[str, MdcEntry] = {
        test: MdcEntry(
            unit=raw["mdc"][test]["unit"],
            by_sex={k: float(raw["mdc"][test][k]) for k in ("male", "female", "unknown")},
            source=raw["mdc"][test]["source"],
            support=raw["mdc"][test]["support"],
        )
        for test in TESTS
    }
    ymca = raw["sit_reach_norms"]["ymca"]
    fg = raw["sit_reach_norms"]["fitnessgram"]
    norms = NormTables(
        ymca_name=ymca["name"],
        ymca_zero_in=float(ymca["zero_point"]["in"]),
        ymca_zero_source=ymca["zero_point"]["source"],
        ymca_rows=tuple(
            YmcaRow(
                sex=r["sex"],
                age_min=int(r["age_min"]),
                age_max=int(r["age_max"]),
                categories=tuple(NormCategory(c["label"], _opt_float(c["from_in"])) for c in r["categories"]),
                source=r["source"],
            )
            for r in ymca["rows"]
        ),
        fitnessgram_name=fg["name"],
        fitnessgram_zero_in=float(fg["zero_point"]["in"]),
        fitnessgram_zero_source=fg["zero_point"]["source"],
        fitnessgram_caveat=fg["caveat"],
        fitnessgram_rows=tuple(
            HfzRow(r["sex"], int(r["age_min"]), int(r["age_max"]), float(r["hfz_min_in"]), r["source"])
            for r in fg["rows"]
        ),
    )
    hip_note = raw["sit-reach"]["hip_angle_reference"]["note"]
    return Thresholds(bands, units, mdc, norms, hip_note, slr, toe, change)


def split_source(source_field: str) -> tuple[tuple[str, ...], str | None]:
    """Split a `source` field into source ids and an optional 'unverified: <why>' reason.

    Ids are joined by ';'. Everything after 'unverified:' is the free-text reason (it may contain ';').
    """
    head, sep, why = source_field.partition("unverified:")
    ids = tuple(p.strip() for p in head.split(";") if p.strip())
    return ids, (why.strip() if sep else None)


def cite(source_field: str) -> tuple[str, ...]:
    """Expand a data-file `source` field into readable citations (unknown ids are kept verbatim)."""
    known = sources()
    ids, why = split_source(source_field)
    out = [known[i].citation if i in known else i for i in ids]
    if why is not None:
        out.append(f"unverified: {why}")  # stays visible to the user
    return tuple(out)
