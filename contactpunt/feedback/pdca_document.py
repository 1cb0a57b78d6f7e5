"""The PDCA report as a PDF (ReportLab, in-process and offline): the same figures, sentences and actions as the page
(`views_pdca._report`), formatted by the same filters, in the user's language.

The text is set in Bitstream Vera, which ReportLab ships (embedded as a subset): it has the euro sign, the minus
sign and the dashes the figures use, which the PDF standard fonts lack.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats as django_formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from contactpunt import formats
from contactpunt.feedback.templatetags.feedback_tags import mean, nps, point, share

FONT, BOLD = "ContactpuntVera", "ContactpuntVera-Bold"
_FONTS = Path(reportlab.__file__).parent / "fonts"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONTS / "VeraBd.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=BOLD, fontSize=18, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=BOLD, fontSize=13, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=BOLD, fontSize=11),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=10, leading=14),
        "muted": ParagraphStyle("muted", parent=base["BodyText"], fontName=FONT, fontSize=8, textColor=colors.grey),
        "warn": ParagraphStyle("warn", parent=base["BodyText"], fontName=BOLD, fontSize=10, textColor=colors.darkred),
    }


def _bullets(texts: list[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [Paragraph(escape(text), style) for text in texts], bulletType="bullet", bulletFontName=FONT, leftIndent=12
    )


def _effect(report: dict[str, Any]) -> str:
    if report["change_points"] is None:
        return _("Too few answers to see an effect.")
    text = _("Effect: NPS went from %(before)s to %(now)s (%(change)s points).") % {
        "before": point(report["before"].nps, "nps"),
        "now": point(report["figures"].nps, "nps"),
        "change": report["change_points"],
    }
    return text if report["trend"] else f"{text} {_('The intervals overlap: the change may be chance.')}"


def _figures(report: dict[str, Any], style: ParagraphStyle) -> Table:
    now, before = report["figures"], report["before"]
    rows = [
        ["", _("This month"), _("Previous month")],
        [_("NPS"), nps(now.nps), nps(before.nps)],
        ["n", formats.number(now.nps.n), formats.number(before.nps.n)],
        [_("CES (1-7)"), mean(now.ces), mean(before.ces)],
        [_("Solved according to the customer"), share(now.solved), share(before.solved)],
    ]
    table = Table(
        [[Paragraph(escape(str(cell)), style) for cell in row] for row in rows], colWidths=(62 * mm, 52 * mm, 52 * mm)
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render(report: dict[str, Any]) -> bytes:
    """The report (`views_pdca._report`) as the bytes of an A4 PDF."""
    _register_fonts()
    styles = _styles()
    body = styles["body"]
    team, period, loop = report["team"], report["period"], report["loop"]
    month = django_formats.date_format(period.first, "F Y")
    story: list[Flowable] = [
        Paragraph(escape(f"{_('PDCA report')}: {team.name}"), styles["title"]),
        Paragraph(escape(month), body),
        Paragraph(escape(_("Plan: actions agreed last time")), styles["h2"]),
    ]
    if report["acted"]:
        story += [_bullets([a.text for a in report["acted"]], body), Paragraph(escape(_effect(report)), body)]
    else:
        story.append(Paragraph(escape(_("No actions were agreed for this month.")), body))
    story += [Paragraph(escape(_("Check: figures")), styles["h2"]), _figures(report, body)]
    if report["figures"].nps.is_small:
        story.append(Paragraph(escape(_("too few answers to trust")), styles["warn"]))
    closed = _("%(closed)s of %(created)s follow-ups closed (%(rate)s), median time to close %(time)s.") % {
        "closed": loop.closed,
        "created": loop.created,
        "rate": formats.percent(loop.closure_rate),
        "time": formats.duration(loop.median_close_s),
    }
    story += [Paragraph(escape(_("Follow-ups")), styles["h3"]), Paragraph(escape(closed), body)]
    story.append(Paragraph(escape(_("What drives NPS")), styles["h3"]))
    if report["readings"]:
        story.append(_bullets(report["readings"], body))
    else:
        story.append(Paragraph(escape(_("Too few answers for a driver analysis.")), body))
    story.append(Paragraph(escape(_("Act: actions for next month")), styles["h2"]))
    if report["agreed"]:
        story.append(_bullets([a.text for a in report["agreed"]], body))
    else:
        story.append(Paragraph(escape(_("No actions agreed yet.")), body))
    story += [Spacer(1, 8 * mm), Paragraph(escape(f"Contactpunt · {team.name} · {month}"), styles["muted"])]
    out = io.BytesIO()
    title = f"{_('PDCA report')}: {team.name}, {month}"
    document = SimpleDocTemplate(
        out, pagesize=A4, title=title, author="Contactpunt", leftMargin=18 * mm, rightMargin=18 * mm
    )
    document.build(story)
    return out.getvalue()
