"""CSV export/import: exact round trip, validation with line numbers, all-or-nothing import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import text

from history import CsvFormatError, HistoryError, HistoryStore, export_csv, import_csv
from tests.history_fixtures import *  # noqa: F403  (fixtures: store, history_url, sqlite_url, pg_server)
from tests.history_fixtures import assert_matches_writer, writer_measurement
from tests.test_history_store import NASTY_NAMES


def _fill(store: HistoryStore) -> None:
    for w, name in enumerate(["writer-1", "writer-2", *NASTY_NAMES], start=1):
        p = store.add_person(
            name, birth_year=1980 + w, sex=("female", "male", None)[w % 3], height_cm=160.25 + w
        )
        for i in range(5):
            store.save_measurement(writer_measurement(p.id, w, i))


def _export(store: HistoryStore, **kw) -> str:
    out = io.StringIO()
    export_csv(store, out, **kw)
    return out.getvalue()


def test_roundtrip_is_byte_identical(store: HistoryStore, tmp_path: Path) -> None:
    _fill(store)
    first = tmp_path / "first.csv"
    assert export_csv(store, first) == 25
    empty = HistoryStore.open(f"sqlite:///{tmp_path / 'empty.db'}")
    assert import_csv(empty, first) == 25
    second = tmp_path / "second.csv"
    export_csv(empty, second)
    assert first.read_bytes() == second.read_bytes()
    # the imported series are complete and exact, not just the CSV text
    assert assert_matches_writer(empty, "writer-1") == list(range(5))
    assert assert_matches_writer(empty, "writer-2") == list(range(5))
    # importing the same file again adds nothing
    assert import_csv(empty, first) == 0
    assert _export(empty) == first.read_text(encoding="utf-8")
    empty.close()


def test_roundtrip_across_backends(store: HistoryStore, sqlite_url: str) -> None:
    _fill(store)
    text_a = _export(store)
    other = HistoryStore.open(sqlite_url.replace("history.db", "other.db"))
    import_csv(other, io.StringIO(text_a, newline=""))
    assert _export(other) == text_a
    other.close()


def test_export_one_person_and_without_series(store: HistoryStore) -> None:
    _fill(store)
    lines = _export(store, person="writer-2").splitlines()
    assert len(lines) == 6 and all(line.startswith("writer-2,") for line in lines[1:])
    no_series = list(csv.reader(io.StringIO(_export(store, include_series=False))))
    assert len(no_series) == 26 and all(row[-5:] == [""] * 5 for row in no_series[1:])
    with pytest.raises(HistoryError, match="no person named"):
        _export(store, person="nobody")


def _good_csv(store: HistoryStore) -> list[str]:
    _fill(store)
    return _export(store, person="writer-1").splitlines()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("angle_deg", "abc", "line 7: angle_deg 'abc' is not a number"),
        ("taken_at", "yesterday", "line 7: taken_at 'yesterday' is not an ISO 8601 date-time"),
        ("taken_at", "2026-01-01T00:00:00", "line 7: taken_at '2026-01-01T00:00:00' has no time zone"),
        ("test", "toe-touch", "line 7: test must be one of slr, sit-reach, not 'toe-touch'"),
        ("valid", "maybe", "line 7: valid 'maybe' is not true or false"),
        ("checks", "[1]", "line 7: checks must be a JSON list"),
        ("t_s_f32", "AAAA", "line 7: t_s_f32 holds 0 values, n_frames says"),
        ("reach_cm", "inf", "line 7: reach_cm 'inf' is not a finite number"),
        ("person", "", "line 7: a person needs a non-empty name"),
        ("height_cm", "300", "line 7: height 300.0 cm is not plausible (50-250 cm)"),
        ("birth_year", "1850", "line 7: birth year 1850 is not plausible"),
        ("sex", "robot", "line 7: sex must be one of female, male, other, not 'robot'"),
        (
            "checks",
            '[{"code":"x","severity":"fatal","message":"m"}]',
            "line 7: check severity must be one of",
        ),
    ],
)
def test_bad_row_names_line_and_imports_nothing(
    store: HistoryStore, column: str, value: str, message: str
) -> None:
    lines = _good_csv(store)
    header = lines[0].split(",")
    rows = lines[1:] * 2  # 10 rows; line 7 is the 6th data row
    cells = next(csv.reader([rows[5]]))
    cells[header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    rows[5] = buf.getvalue().rstrip("\n")
    rows = [r.replace("writer-1", "fresh") for r in rows]  # a person not in the store yet
    data = "\n".join([lines[0], *rows]) + "\n"
    before = _export(store)
    with pytest.raises(CsvFormatError) as info:
        import_csv(store, io.StringIO(data, newline=""))
    assert str(info.value).startswith(message)
    assert _export(store) == before  # nothing imported, not even the person
    assert store.get_person_by_name("fresh") is None


def test_bad_headers(store: HistoryStore, tmp_path: Path) -> None:
    for data, message in [
        ("", "line 1: the file is empty"),
        ("person,test,side\n", "line 1: missing column 'taken_at'"),
        ("person,test,side,taken_at,angle_deg,reach_cm,valid,colour\n", "line 1: unknown column 'colour'"),
        ("\xff\xfe", "line 1: the file is not UTF-8"),
    ]:
        path = tmp_path / "bad.csv"
        path.write_bytes(data.encode("latin-1"))
        with pytest.raises(CsvFormatError, match=message):
            import_csv(store, path)
    with pytest.raises(HistoryError, match="cannot read"):
        import_csv(store, tmp_path / "missing.csv")


def test_minimal_hand_written_csv(store: HistoryStore) -> None:
    data = (
        "person,test,side,taken_at,angle_deg,reach_cm,valid\n"
        "Dee,slr,left,2026-02-03T10:00:00Z,71.5,,true\n"
        "\n"
        "Dee,sit-reach,right,2026-02-04T10:00:00+01:00,100,-3.5,false\n"
    )
    assert import_csv(store, io.StringIO(data)) == 2
    p = store.get_person_by_name("Dee")
    assert p is not None
    rows = store.list_measurements(p.id)
    assert [(r.test, r.angle_deg, r.reach_cm, r.valid, r.taken_at.hour) for r in rows] == [
        ("slr", 71.5, None, True, 10),
        ("sit-reach", 100.0, -3.5, False, 9),
    ]
    assert store.get_series(rows[0].id).n_frames == 0


def test_export_to_path_is_atomic(sqlite_url: str, tmp_path: Path) -> None:
    store = HistoryStore.open(sqlite_url)
    _fill(store)
    target = tmp_path / "backup.csv"
    target.write_text("previous backup\n")
    with store.engine.begin() as conn:  # make the export fail half-way: a row whose JSON cannot be read
        conn.execute(text("UPDATE measurement SET checks = :c WHERE id = 3"), {"c": "not json"})
    with pytest.raises(Exception):  # noqa: B017 - any failure; the point is the file below
        export_csv(store, target)
    assert target.read_text() == "previous backup\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    store.close()
