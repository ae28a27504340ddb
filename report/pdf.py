"""Render `ReportData` as an A4 PDF with ReportLab; the charts are the app's Altair spec as PNG.

ReportLab was chosen by measurement (docs/ARCHITECTURE.md): a pure-Python 2 MB wheel with no system
libraries (WeasyPrint needs Pango; Typst is a 34 MB wheel), about 0.1 s per report page on this
machine against 0.24 s for fpdf2, and flowing layout with table headers repeated across pages.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from report.charts import history_chart
from report.data import ReportData, TestLeg

PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
CHART_W_PX, CHART_H_PX = 620, 230  # the Altair chart's own size; rendered at 2x for print
CHART_SCALE = 2
# Bitstream Vera ships inside ReportLab; embedding it makes every viewer (Chromium, poppler, Acrobat)
# lay the text out alike, and it covers more than the Latin-1 of the built-in Helvetica.
FONT, FONT_BOLD = "FlexVera", "FlexVera-Bold"
_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontName=FONT, fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7, leading=8.6)
H1 = ParagraphStyle("h1", parent=_STYLES["Title"], fontName=FONT_BOLD, fontSize=17, alignment=0, spaceAfter=4)
H2 = ParagraphStyle(
    "h2", parent=_STYLES["Heading2"], fontName=FONT_BOLD, fontSize=12.5, spaceBefore=8, spaceAfter=3
)


def _register_fonts() -> None:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "VeraBd.ttf")))


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def chart_png(leg: TestLeg) -> bytes:
    """The History page's chart for this test and leg, rendered by vl-convert (no browser)."""
    import altair as alt
    import vl_convert as vlc

    chart = history_chart(leg.frame, leg.value_field, leg.value_title, leg.bands, leg.baseline, leg.mdc)
    spec = chart.properties(width=CHART_W_PX, height=CHART_H_PX).to_json()
    vl_version = "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return bytes(vlc.vegalite_to_png(spec, vl_version=vl_version, scale=CHART_SCALE))


def _who(data: ReportData) -> list[Flowable]:
    p = data.person
    facts = [
        f"Age {data.age}" if data.age is not None else "Age not given",
        p.sex or "sex not given",
        f"height {p.height_cm:.0f} cm" if p.height_cm else "height not given",
    ]
    period = "all saved measurements"
    if data.date_from or data.date_to:
        period = f"measurements from {data.date_from or 'the first'} to {data.date_to or 'the latest'}"
    return [
        _p(f"FlexCheck report: {p.name}", H1),
        _p(", ".join(facts) + ".", BODY),
        _p(f"{period.capitalize()}; made {data.generated_at:%Y-%m-%d %H:%M} UTC.", SMALL),
        Spacer(1, 2 * mm),
    ]


def _table(leg: TestLeg) -> Table:
    slr = leg.test == "slr"
    head = ["Date (UTC)", "Value", "Band", *(["SLR mode"] if slr else []), "Checks", "Engine"]
    body = []
    for r in leg.rows:
        value = r.value_text if r.valid else f"{r.value_text} (not valid)"
        body.append(
            [
                _p(f"{r.taken_at:%Y-%m-%d %H:%M}", CELL),
                _p(value, CELL),
                _p(r.band, CELL),
                *([_p(r.slr_mode, CELL)] if slr else []),
                _p(r.checks, CELL),
                _p(f"{r.engine_version} ({r.source})", CELL),
            ]
        )
    widths = [30, 27, 24, *([14] if slr else []), 54 if slr else 68, 29]
    table = Table(
        [[_p(h, CELL) for h in head], *body], colWidths=[w * mm for w in widths], repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#1f4e79")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _leg(leg: TestLeg) -> list[Flowable]:
    unit = "°" if leg.test == "slr" else " cm"
    out: list[Flowable] = [_p(leg.title, H2)]
    if len(leg.frame):
        width = PAGE_W - 2 * MARGIN
        img = Image(io.BytesIO(chart_png(leg)), width=width, height=width * 0.42, kind="proportional")
        note = "Coloured bands: score bands. "
        if leg.baseline is not None and leg.mdc is not None:
            note += (
                f"Grey band: the first measurement ± the minimal detectable change ({leg.mdc:.0f}{unit}); "
                "a change inside it may be measurement error."
            )
        out += [img, _p(note, SMALL), Spacer(1, 2 * mm)]
    else:
        out.append(_p("No valid measurement to chart in this period.", SMALL))
    out.append(_table(leg))
    return [KeepTogether(out[:3]), *out[3:]]


def _bullets(lines: list[str], style: ParagraphStyle = BODY) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(x, style), leftIndent=10) for x in lines], bulletType="bullet", start="•", leftIndent=10
    )


def _plan(data: ReportData) -> list[Flowable]:
    plan = data.plan
    if plan is None:
        return []
    out: list[Flowable] = [
        _p("Latest plan summary", H2),
        _p(f"Based on the measurement of {plan.based_on}.", SMALL),
    ]
    if plan.stop:
        out.append(_p("The symptom answers call for a clinician before any exercise.", BODY))
    out.append(_p(plan.summary, BODY))
    if plan.items:
        out.append(_bullets(list(plan.items)))
    if plan.red_flags:
        out += [_p("Red flags:", BODY), _bullets(list(plan.red_flags))]
    return out


def _symptoms(data: ReportData) -> list[Flowable]:
    if not data.symptoms:
        return []
    lines = [f"{s.taken_at:%Y-%m-%d}, {s.test} ({s.side}): {s.answers}" for s in data.symptoms]
    return [_p("Symptom answers", H2), _bullets(lines, SMALL)]


def _sources(data: ReportData) -> list[Flowable]:
    if not data.sources:
        return []
    return [_p("Sources", H2), _bullets(list(data.sources), SMALL)]


def render_pdf(data: ReportData) -> bytes:
    _register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"FlexCheck report: {data.person.name}",
        author="FlexCheck",
        subject="Hamstring flexibility measurements",
    )
    story: list[Flowable] = _who(data)
    if not data.legs:
        story.append(_p("No measurements in this period.", BODY))
    for leg in data.legs:
        story += _leg(leg)
    story += _plan(data) + _symptoms(data) + _sources(data)

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#444444"))
        lines = simpleSplit(data.not_a_diagnosis, FONT, 7, PAGE_W - 2 * MARGIN - 18 * mm)
        for i, line in enumerate(lines):
            canvas.drawString(MARGIN, MARGIN - 1 * mm - i * 3.2 * mm, line)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 1 * mm, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
