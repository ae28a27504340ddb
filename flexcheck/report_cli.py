"""`flexcheck report --person NAME --out report.pdf [--from DATE] [--to DATE]`: the clinician PDF."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from flexcheck.settings import Settings

EXIT_OK = 0
EXIT_ERROR = 2


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def add_report_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    r = subparsers.add_parser("report", help="write a person's history as a PDF report for a clinician")
    r.add_argument("--person", required=True, help="whose history")
    r.add_argument("--out", type=Path, required=True, help="the PDF to write")
    r.add_argument("--from", dest="date_from", type=_day, default=None, help="first day (YYYY-MM-DD, UTC)")
    r.add_argument("--to", dest="date_to", type=_day, default=None, help="last day (YYYY-MM-DD, UTC)")


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    from history import HistoryError, HistoryStore
    from report.data import ReportError, collect
    from report.pdf import render_pdf

    try:
        store = HistoryStore.open(settings.database_url)
        try:
            data = collect(store, args.person, args.date_from, args.date_to)
        finally:
            store.close()
        pdf = render_pdf(data)
        tmp = args.out.with_name(args.out.name + ".part")  # never leave a half-written PDF behind
        tmp.write_bytes(pdf)
        tmp.replace(args.out)
    except (HistoryError, ReportError) as exc:
        print(f"flexcheck: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"flexcheck: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    n = sum(len(leg.rows) for leg in data.legs)
    print(f"wrote {args.out} ({n} measurements of {data.person.name})", file=sys.stderr)
    return EXIT_OK
