"""The report pages: a scope's key figures with server-drawn charts, drilling down from the city to
a unit, a sub-unit and a person, and the person's page (requirements against their current
levels, gaps, evidence, classes). The same functions as the JSON API (``reports``,
``report_access``), so a page never says something the API or an export does not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import request_locale
from lms_core.plugin_api import MenuItem
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import chart, report_access, report_format, reports
from lms_assessment.report_access import PERMISSION, ReportQuery

PATH = "/assessment/reports"


def report_url(unit_id: int | None = None, year: int | None = None,
               position_id: int | None = None, base: str = PATH) -> str:
    params = {k: v for k, v in (("unit_id", unit_id), ("position_id", position_id),
                                ("year", year)) if v is not None}
    return base + (f"?{urlencode(params)}" if params else "")


def _query(request: Request) -> ReportQuery:
    """The filter form sends empty fields for "all": they mean absent, not invalid."""
    return ReportQuery.model_validate({k: v for k, v in request.query_params.items()
                                       if v.strip() and k in ReportQuery.model_fields})


def _crumbs(report: dict[str, Any], floor: int | None) -> list[dict[str, Any]]:
    """City › unit › sub-unit, each a link but the last; a supervisor's start at their unit."""
    scope = report["scope"]
    year, position = scope["year"], (scope["position"] or {}).get("id")
    items: list[dict[str, Any]] = []
    if floor is None:
        items.append({"name": scope["institution"]["name"],
                      "url": report_url(None, year, position)})
    reached = floor is None
    for crumb in scope["crumbs"]:
        reached = reached or crumb["id"] == floor
        if reached:
            items.append({"name": crumb["name"], "url": report_url(crumb["id"], year, position)})
    if items:
        items[-1]["url"] = None
    return items


@page(PERMISSION)
async def report_page(request: Request, principal: Principal) -> Response:
    query = _query(request)
    scope = await report_access.scope(principal, query)
    report = await reports.build(request.app.state.lms.plugins, scope)
    locale = request_locale(request)
    en = locale == "en"

    def pct(value: float | None) -> str:
        return report_format.pct(value, locale)

    units_chart = chart.bars(
        [(report_format.unit_label(r, report, locale), r["share"]) for r in report["units"]],
        ("Share of staff meeting their position's standard, per unit" if en
         else "Tỉ lệ nhân sự đạt chuẩn vị trí việc làm theo đơn vị"), pct)
    trend_chart = chart.trend(
        [(str(r["year"]), r["share"]) for r in report["years"]],
        ("Share meeting the standard over the years" if en
         else "Tỉ lệ đạt chuẩn qua các năm"), pct)
    this = reports.current_year()
    position_id = scope.position_id
    exports = {ext: report_url(scope.unit_id, scope.year, position_id,
                               base=f"/api/v1/assessment/reports/{name}")
               for ext, name in (("csv", "export.csv"), ("xlsx", "export.xlsx"),
                                 ("pdf", "summary.pdf"))}
    return await render(request, "assessment/report.html", {
        "page": "assessment-reports", "report": report, "scope": scope,
        "crumbs": _crumbs(report, report_access.floor_unit(principal)),
        "positions": await reports.positions(principal.institution_id),
        "years": list(range(this, max(reports.FIRST_YEAR, this - 9) - 1, -1)),
        "units_chart": units_chart, "trend_chart": trend_chart, "exports": exports,
        "unit_url": lambda unit_id: report_url(unit_id, scope.year, position_id),
        "person_url": lambda user_id: f"{PATH}/people/{user_id}",
        "unit_label": lambda row: report_format.unit_label(row, report, locale),
        "position_label": lambda row: report_format.position_label(row, locale),
        "role_label": lambda role: report_format.role_label(role, locale),
        "scope_label": report_format.scope_label(report, locale),
        "moment_label": report_format.moment_label(report, locale),
        "pct": pct, "num": lambda v, digits=2: report_format.num(v, locale, digits),
        "signed": lambda v: report_format.signed(v, locale), "day": report_format.day})


@page(PERMISSION)
async def person_page(request: Request, principal: Principal) -> Response:
    data = await report_access.person(principal, path_int(request, "user_id"))
    locale = request_locale(request)
    back = None
    if data["unit"] is not None:
        back = report_url(data["unit"]["id"])
    return await render(request, "assessment/report_person.html", {
        "page": "assessment-report-person", "person": data, "back": back,
        "source_label": lambda s: report_format.source_label(s, locale),
        "status_label": lambda s: report_format.status_label(s, locale),
        "num": lambda v, digits=2: report_format.num(v, locale, digits),
        "day": report_format.day})


ROUTES = [Route(PATH, report_page, name="assessment.reports"),
          Route(PATH + "/people/{user_id:int}", person_page, name="assessment.report_person")]

MENU = [MenuItem("assessment-reports", "Báo cáo đào tạo", "Training reports", PATH,
                 permission=PERMISSION, order=85, group="reports")]
