"""The KPI dashboards, the drill-down to the contacts behind a figure, exports and the live wallboard.

Every figure comes from `metrics.report` (through `rollups.report`, which reads the queue figures from the
rollups when they can answer), so the screens, the exports and `contactpunt kpis` agree.
"""

from __future__ import annotations

import io
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from contactpunt import replica
from contactpunt.access import Action, require
from contactpunt.audit import services as audit
from contactpunt.kpis import charts, cost, drill, export, labels, live, metrics, rollups, trends, wallboard
from contactpunt.kpis.intervals import zone
from contactpunt.kpis.views_support import (
    KINDS,
    LABELS,
    MANAGER_COLUMNS,
    SPOC_COLUMNS,
    WEBCARE_COLUMNS,
    Period,
    period_from,
    today,
)
from contactpunt.kpis.webcare import webcare_figures
from contactpunt.people.models import User

BY_CHOICES = ("queue", "channel", "team", "department", "agent", "site", "account", "product_type")


def _columns(keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"key": k, "label": LABELS[k], "formula": labels.formula(k)} for k in keys]


def _by(request: HttpRequest, default: str = "queue") -> str:
    by = request.GET.get("by", default)
    return by if by in BY_CHOICES else default


def _context(period: Period, by: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    return {
        "period": period,
        "by": by,
        "rows": rows,
        "group_labels": labels.group_labels(by, [r["group"] for r in rows]),
        "columns": _columns(columns),
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "by_choices": BY_CHOICES,
        # Per queue, team, agent, department and site a transferred contact counts once per leg; per channel and the
        # rest once: the same week's AHT differs between the two (the table says so).
        "counts_legs": by in metrics.LEG_GROUPINGS,
        # A backfill runs (the first start's history, an import): the figures are those built so far.
        "catching_up": rollups.is_catching_up(),
    }


@require(Action.VIEW_DASHBOARDS)
def index(request: HttpRequest) -> HttpResponse:
    return redirect("kpis:today")


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def today_view(request: HttpRequest) -> HttpResponse:
    """The team lead's today, live: the figures of now (as the wallboard), service level per quarter hour, agents."""
    period = Period.of(today(), today(), "day")
    now = timezone.now()
    units = live.today_units(now, zone())  # read once for the figures and the chart
    figures = live.now_figures(now, zone(), units)
    chart = charts.bar_chart(
        [(i.label, i.service_level) for i in live.service_level_per_interval(now, zone(), units)],
        label=_("Service level per quarter hour"),
        maximum=1.0,
        target=figures.sl_target,
        percent=True,
    )
    context = _context(period, "queue", [], ())
    context.update({"now": figures, "chart": chart, "agents": wallboard.state_labels(wallboard.agents_by_state())})
    return render(request, "kpis/today.html", context)


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def manager(request: HttpRequest) -> HttpResponse:
    """Weeks and months with the trend against the period before, per queue, channel, team or department."""
    period = period_from(request, "week")
    by = _by(request)
    previous = period.previous()
    until = trends.previous_until(period.start, period.end, previous.start, previous.end, timezone.now())
    compared = trends.trends(period.start, period.end, previous.start, until, by=by, zone=zone(), keys=MANAGER_COLUMNS)
    rows = [{**row.figures, "trend": row.change} for row in compared]
    per_day = rollups.daily_queue_figures(period.start, period.end, zone=zone())
    days = [{"group": label, **figures} for label, figures in sorted(per_day.items())]
    context = _context(period, by, rows, MANAGER_COLUMNS)
    context["charts"] = [
        charts.bar_chart([(d["group"], d["offered"]) for d in days], label=_("Offered per day")),
        charts.bar_chart(
            [(d["group"], d["service_level"]) for d in days],
            label=_("Service level per day"),
            maximum=1.0,
            target=live.centre_sl_target(),
            percent=True,
        ),
    ]
    context["previous"] = previous
    context["previous_until"] = until if until < previous.end else None
    return render(request, "kpis/manager.html", context)


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def spoc(request: HttpRequest) -> HttpResponse:
    """The single point of contact: reachability of every department, transfers, repeat contacts, CSI."""
    period = period_from(request, "month")
    rows = rollups.report(period.start, period.end, by="department", zone=zone())
    context = _context(period, "department", rows, SPOC_COLUMNS)
    context["chart"] = charts.bar_chart(
        [(r["group"], r["reachability"]) for r in rows], label=_("Reachability"), maximum=1.0, percent=True
    )
    report = cost.cost_to_serve(period.start, period.end)
    context["cost_total"] = report.total
    context["cost_tables"] = [
        (
            "cost-account",
            _("Cost to serve per account"),
            report.by_account,
            _("No handled contacts of business customers (accounts) in this period."),
            True,
        ),
        (
            "cost-product",
            _("Cost to serve per product type"),
            report.by_product_type,
            _("No handled contacts with a product type (of the case or the customer's account) in this period."),
            True,
        ),
        (
            "cost-reason",
            _("Cost to serve per contact reason"),
            report.by_reason,
            _("No handled contacts in this period."),
            False,  # an order has no contact reason: no orders per reason
        ),
    ]
    return render(request, "kpis/spoc.html", context)


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def webcare(request: HttpRequest) -> HttpResponse:
    """Written channels: response times on business hours, within the norm, the backlog and its oldest."""
    period = period_from(request, "week")
    now = timezone.now()
    figures = webcare_figures(period.start, period.end, now=now, zone=zone())
    context = _context(period, "channel", figures.rows, WEBCARE_COLUMNS)
    context.update(
        {
            "backlog": figures.backlog,
            "unanswered": figures.unanswered,
            "public_waiting": figures.public_waiting,
            "closed_without_response": figures.closed_without_response,
            "closed_without_response_count": figures.closed_without_response_count,
            "now": now,
        }
    )
    return render(request, "kpis/webcare.html", context)


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def drill_view(request: HttpRequest) -> HttpResponse:
    """The contacts (or cases) behind one figure of one group."""
    period = period_from(request)
    metric = request.GET.get("metric", "offered")
    by = request.GET.get("by", "all")
    if metric not in metrics.FORMULAS or (by != "all" and by not in metrics.GROUPINGS):
        raise Http404("unknown metric or grouping")
    found = drill.behind(metric, period.start, period.end, by=None if by == "all" else by,
                         group=request.GET.get("group", "all"), zone=zone())  # fmt: skip
    context = _context(period, by, [], ())
    context.update({"metric": metric, "label": LABELS.get(metric, metric), "formula": labels.formula(metric),
                    "found": found, "group": request.GET.get("group", "all"), "queue_names": labels.queue_names(),
                    "group_labels": labels.group_labels(by, [request.GET.get("group", "all")])})  # fmt: skip
    return render(request, "kpis/drill.html", context)


@require(Action.VIEW_DASHBOARDS)
def formula(request: HttpRequest, key: str) -> HttpResponse:
    """The formula of one metric (a partial for the side panel)."""
    if key not in metrics.FORMULAS:
        raise Http404("unknown metric")
    return render(request, "kpis/_formula.html", {"key": key, "label": LABELS.get(key, key),
                                                  "formula": labels.formula(key)})  # fmt: skip


def _audit_export(request: HttpRequest, name: str, kind: str, rows: int) -> None:
    """An export of figures goes into the audit log (who took which figures out, per agent ones too)."""
    user = cast(User, request.user)
    what = {"format": kind, "rows": rows, "query": request.GET.urlencode()[:500]}
    audit.record_named(
        actor=user, actor_label=user.get_username(), action="kpis.exported", object_type="kpis.report",
        object_id=name, changes=what,
    )  # fmt: skip


def _export_rows(
    request: HttpRequest, *, labelled: bool = False, sheet: bool = False
) -> tuple[list[str], list[list[Any]], str, list[str]]:
    """The figures of the period, rounded; `labelled`: headers and groups by their names in the user's language;
    `sheet`: labelled, but the values kept as numbers (fractions, seconds) and dates as dates, for a workbook whose
    cells carry the formats. Also returns each column's kind: "text", "date", or the metric's ("%", "s", "n")."""
    period = period_from(request, "month")
    by = request.GET.get("by", "queue")
    by = by if by in metrics.GROUPINGS else "queue"
    changes: dict[str, dict[str, float | None]] = {}
    if request.GET.get("compare") == "1":  # each figure's change against the period before, as the manager page
        previous = period.previous()
        until = trends.previous_until(period.start, period.end, previous.start, previous.end, timezone.now())
        compared = trends.trends(period.start, period.end, previous.start, until, by=by, zone=zone(),
                                 keys=tuple(KINDS))  # fmt: skip
        rows = [row.figures for row in compared]
        changes = {row.group: row.change for row in compared}
    else:
        rows = rollups.report(period.start, period.end, by=by, zone=zone())
    keys = [k for k in KINDS if rows and k in rows[0]]
    changed = keys if changes else []
    if labelled or sheet:
        names = labels.group_labels(by, [r["group"] for r in rows])
        unit = (lambda k, text: text) if sheet else export.unit_header  # a sheet's cells show their unit
        header = [labels.grouping_label(by), gettext("From"), gettext("To"),
                  *(unit(k, str(LABELS.get(k, k))) for k in keys),
                  *(unit(k, gettext("%(figure)s, change") % {"figure": LABELS.get(k, k)})
                    for k in changed)]  # fmt: skip
    else:
        names, header = {}, ["group", "from", "to", *keys, *(f"{k}_change" for k in changed)]
    value = export.labelled if labelled and not sheet else export.rounded
    first, last = (period.first, period.last) if sheet else (period.first.isoformat(), period.last.isoformat())
    body = [
        [names.get(r["group"], r["group"]), first, last,
         *(value(k, r.get(k)) for k in keys), *(value(k, changes[r["group"]][k]) for k in changed)]
        for r in rows
    ]  # fmt: skip
    kinds = ["text", "date", "date", *(KINDS[k] for k in keys), *(KINDS[k] for k in changed)]
    return header, body, f"kpis-{by}-{period.first}-{period.last}", kinds


def _wants_excel(request: HttpRequest) -> bool:
    """?excel=1 or ?excel=0 when asked; otherwise the Dutch-Excel dialect for a user reading Dutch."""
    asked = request.GET.get("excel", "")
    if asked in ("1", "0"):
        return asked == "1"
    return (get_language() or "").startswith("nl")


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def export_csv(request: HttpRequest) -> HttpResponse:
    """The figures of a period as CSV: fractions 0..1 (4 decimals) and seconds (1 decimal), as `contactpunt kpis
    --json`; for Dutch users (or ?excel=1) as Dutch Excel reads it, with the columns and groups by name."""
    excel = _wants_excel(request)
    header, body, name, _kinds = _export_rows(request, labelled=excel)
    _audit_export(request, name, "csv", len(body))
    response = HttpResponse(export.to_csv(header, body, excel=excel), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The figures of a period as an Excel workbook: columns and groups by name in the user's language, numbers
    as numbers with their format (percentages, seconds, counts), dates as dates."""
    try:
        from openpyxl import Workbook  # an optional dependency: only this export needs it
    except ImportError:
        return HttpResponse("XLSX export needs openpyxl (pip install openpyxl==3.1.5).", status=501)
    header, body, name, kinds = _export_rows(request, sheet=True)
    _audit_export(request, name, "xlsx", len(body))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KPIs"
    export.fill_sheet(sheet, header, body, kinds)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def wallboard_page(request: HttpRequest) -> HttpResponse:
    """The wallboard for a screen on the wall; its body refreshes itself while the tab is visible."""
    return render(request, "kpis/wallboard.html", {"board": wallboard.build(timezone.now(), zone())})


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def wallboard_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "kpis/_wallboard.html", {"board": wallboard.build(timezone.now(), zone())})
