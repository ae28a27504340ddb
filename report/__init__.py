"""The clinician report: one person's history as a PDF (who, charts per test and leg with the
bands and the measurement-error band, a table, the latest plan and symptom answers, the sources).

    data = report.data.collect(store, "Ada", date_from=None, date_to=None)   # ReportError if unknown
    pdf_bytes = report.pdf.render_pdf(data)

`report.charts` holds the history chart both the app and the report draw (one Altair spec).
Built with ReportLab (see docs/ARCHITECTURE.md, "Clinician report", for why). No Streamlit here.
"""
