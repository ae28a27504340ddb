"""Every number in scoring/data/*.json must sit next to a citation (a known source id or 'unverified: why')."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scoring.data_files import DATA_FILES, load_json, sources, validate_data


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _bad_source(field: str, known: set[str]) -> str | None:
    """Ids joined by ';', optionally followed by 'unverified: <why>' (the reason runs to the end)."""
    head, sep, why = field.partition("unverified:")
    ids = [p.strip() for p in head.split(";") if p.strip()]
    if sep and len(why.strip()) < 5:
        return "unverified without a reason"
    if not ids and not sep:
        return "empty source"
    unknown = [i for i in ids if i not in known]
    return f"unknown source ids {unknown}" if unknown else None


def uncited_numbers(node: Any, known: set[str], path: str = "$", cited: bool = False) -> list[str]:
    """Paths of numbers with no valid 'source' in their object or an enclosing object; bad source fields."""
    problems: list[str] = []
    if isinstance(node, dict):
        src = node.get("source")
        if isinstance(src, str):
            why = _bad_source(src, known)
            if why is not None:
                problems.append(f"{path}: {why}")
            cited = cited or why is None
        has_number = any(
            _is_number(v) or (isinstance(v, list) and any(_is_number(i) for i in v)) for v in node.values()
        )
        if has_number and not cited:
            problems.append(f"{path}: numbers without a 'source'")
        for k, v in node.items():
            problems.extend(uncited_numbers(v, known, f"{path}.{k}", cited))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            problems.extend(uncited_numbers(v, known, f"{path}[{i}]", cited))
    return problems


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_number_has_a_citation(name):
    known = set(sources())
    assert uncited_numbers(load_json(name), known) == []


def test_walker_catches_uncited_and_bogus_sources():
    known = {"article"}
    bad = {"a": {"x": 1}, "b": {"y": [1, 2], "source": "nope"}, "c": {"z": 3, "source": "unverified:"}}
    problems = uncited_numbers(bad, known)
    assert {p.split(":")[0] for p in problems} == {"$.a", "$.b", "$.c"}
    good = {
        "a": {"x": 1, "source": "article"},
        "b": {"y": 2, "source": "article; unverified: recalled; not re-read"},
        "c": {"source": "article", "rows": [{"z": 3}]},  # a row inherits its table's source
    }
    assert uncited_numbers(good, known) == []


def test_every_source_has_a_full_citation():
    for src in sources().values():
        assert len(src.citation) > 20 and src.checked


def test_disclaimer_is_data_constant():
    d = load_json("exercises.json")["disclaimer"]
    assert "not a diagnosis" in d


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_matches_its_json_schema(name):
    validate_data(name, load_json(name))  # load_json validates too; this names the file on failure


@pytest.mark.parametrize(
    ("name", "path", "bad", "needle"),
    [
        ("thresholds.json", ("slr", "bands", "passive", 0, "lo_inclusive"), "yes", "lo_inclusive"),
        ("thresholds.json", ("slr", "check_first", "below_deg"), 95, "below_deg"),
        (
            "thresholds.json",
            ("sit_reach_norms", "ymca", "rows", 0, "categories", 1, "label"),
            "fair",
            "label",
        ),
        ("exercises.json", ("exercises", 0, "type"), "yoga", "type"),
        ("exercises.json", ("exercises", 0, "frequency", "per_week_max"), 9, "per_week_max"),
        ("exercises.json", ("red_flags", "nerve"), "see someone", "nerve"),
        ("sources.json", ("sources", "article", "citation"), "short", "citation"),
    ],
)
def test_schema_rejects_a_broken_copy(name, path, bad, needle):
    data = copy.deepcopy(load_json(name))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    with pytest.raises(ValueError, match=f"breaks its schema at .*{needle}"):
        validate_data(name, data)


def test_ymca_rows_say_which_categories_are_flexchecks_own():
    for row in load_json("thresholds.json")["sit_reach_norms"]["ymca"]["rows"]:
        labels = {c["label"] for c in row["categories"]}
        assert set(row["from_source"]) | set(row["interpolated"]) == labels
        assert "below average" in row["interpolated"]  # no web source gives that band
