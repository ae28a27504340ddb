"""`flexcheck history ...`: list, export (CSV or FHIR R4), import (CSV) and people.

stdout carries only the requested output (tables, or CSV with `--csv -`); messages go to stderr.
Errors are one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from flexcheck.settings import Settings
from flexcheck.vocabulary import SIDES, TESTS

if TYPE_CHECKING:  # imported where used: `history` (SQLAlchemy) costs ~1 s, and every command's
    # parser is built from this module, the analysis' bad-input answers included
    from history import HistoryStore, MeasurementRow, PersonRow

EXIT_OK = 0
EXIT_ERROR = 2


def add_history_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    hist = subparsers.add_parser("history", help="list, export or import saved measurements")
    sub = hist.add_subparsers(dest="history_command", required=True)
    ls = sub.add_parser("list", help="list saved measurements, oldest first")
    ls.add_argument("--person", default=None, help="only this person's measurements")
    ls.add_argument("--test", default=None, choices=TESTS)
    ls.add_argument("--side", default=None, choices=SIDES)
    ex = sub.add_parser("export", help="write the history as CSV or as a FHIR R4 Bundle (JSON)")
    fmt = ex.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", dest="csv_path", help="PATH, or - for stdout")
    fmt.add_argument("--fhir", dest="fhir_path", help="PATH (JSON), or - for stdout")
    ex.add_argument("--person", default=None, help="only this person's measurements")
    ex.add_argument("--no-series", action="store_true", help="CSV: leave out the per-frame series columns")
    im = sub.add_parser("import", help="add measurements from a CSV written by export")
    im.add_argument("--csv", dest="csv_path", required=True, help="PATH, or - for stdin")
    sub.add_parser("people", help="list the people in the history")


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    from history import HistoryError, HistoryStore

    try:
        store = HistoryStore.open(settings.database_url)
    except HistoryError as exc:
        return _fail(str(exc))
    try:
        return _dispatch(store, args)
    except HistoryError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    finally:
        store.close()


def _fail(message: str) -> int:
    print(f"flexcheck: {message}", file=sys.stderr)
    return EXIT_ERROR


def _dispatch(store: HistoryStore, args: argparse.Namespace) -> int:
    from history import HistoryError, export_csv, export_fhir, import_csv

    cmd = args.history_command
    if cmd == "people":
        _print_people(store.list_people())
    elif cmd == "list":
        people = store.list_people()
        if args.person is not None:
            person = store.get_person_by_name(args.person)
            if person is None:
                raise HistoryError(f"no person named {args.person!r}")
            people = [person]
        rows = [(p, m) for p in people for m in store.list_measurements(p.id, args.test, args.side)]
        _print_measurements(rows)
    elif cmd == "export" and args.fhir_path is not None:
        n = export_fhir(store, sys.stdout if args.fhir_path == "-" else args.fhir_path, person=args.person)
        if args.fhir_path != "-":
            print(f"exported {n} measurements to {args.fhir_path} (FHIR R4 Bundle)", file=sys.stderr)
    elif cmd == "export":
        target = sys.stdout if args.csv_path == "-" else args.csv_path
        n = export_csv(store, target, person=args.person, include_series=not args.no_series)
        if args.csv_path != "-":
            print(f"exported {n} measurements to {args.csv_path}", file=sys.stderr)
    elif cmd == "import":
        source = sys.stdin if args.csv_path == "-" else args.csv_path
        n = import_csv(store, source)
        print(f"imported {n} measurements", file=sys.stderr)
    else:  # argparse guarantees one of the above
        raise HistoryError(f"unknown history command {cmd!r}")
    return EXIT_OK


def _num(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def _print_people(people: list[PersonRow]) -> None:
    print(f"{'id':>5}  {'name':<30} {'born':>5} {'sex':<6} {'height_cm':>9}")
    for p in people:
        born = "-" if p.birth_year is None else str(p.birth_year)
        print(f"{p.id:>5}  {p.name:<30} {born:>5} {p.sex or '-':<6} {_num(p.height_cm, '.1f'):>9}")


def _print_measurements(rows: list[tuple[PersonRow, MeasurementRow]]) -> None:
    print(
        f"{'id':>6}  {'person':<20} {'taken_at (UTC)':<19} {'test':<9} {'side':<5} "
        f"{'angle_deg':>9} {'reach_cm':>8} {'valid':<5} band"
    )
    for p, m in rows:
        print(
            f"{m.id:>6}  {p.name:<20} {m.taken_at:%Y-%m-%d %H:%M:%S} {m.test:<9} {m.side:<5} "
            f"{_num(m.angle_deg, '.1f'):>9} {_num(m.reach_cm, '+.1f'):>8} {'yes' if m.valid else 'no':<5} "
            f"{m.band or '-'}"
        )
