"""JSON endpoints of the planners' reports, under /api/v1/assessment/reports, with the same report
as CSV, XLSX and a printable PDF. Scope by query: ``unit_id`` (with its sub-units),
``position_id``, ``year``; who sees what is ``report_access``'s."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.downloads import attachment
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import request_locale
from lms_core.spreadsheets import to_csv, to_xlsx

from lms_assessment import report_access, report_pdf, report_sheets, reports
from lms_assessment.report_access import PERMISSION, ReportQuery

PREFIX = "/api/v1/assessment/reports"
TAGS = ("assessment",)
SCOPE_ERRORS = {403: "A supervisor asking outside their unit, or not allowed",
                404: "Unit or position not found", 422: "A year outside 2000..now"}


async def report_for(request: Request, principal: Principal, query: ReportQuery
                     ) -> dict[str, Any]:
    scope = await report_access.scope(principal, query)
    return await reports.build(request.app.state.lms.plugins, scope)


@api("GET", permission=PERMISSION, query=ReportQuery, tags=TAGS, responses=SCOPE_ERRORS,
     summary="Training report of a scope: trained, completion, gain, % meeting standard, "
             "change at work, class quality; per child unit, position and year")
async def get_report(request: Request, principal: Principal, query: ReportQuery):
    """Planners and admins: the whole institution or any unit; supervisors: their own unit's
    subtree (their unit when `unit_id` is absent). `units` are the child units (drill down with
    their `unit_id`), with a row `own` for the people directly in the unit (or without a unit),
    so that the rows add up to `figures`."""
    return await report_for(request, principal, query)


@api("GET", permission=PERMISSION, query=ReportQuery, tags=TAGS, responses=SCOPE_ERRORS,
     summary="The report as CSV (UTF-8 with BOM, one table after another)")
async def report_csv(request: Request, principal: Principal, query: ReportQuery):
    report = await report_for(request, principal, query)
    return attachment(to_csv(report_sheets.sheets(report, request_locale(request))),
                      report_sheets.filename(report, "csv"))


@api("GET", permission=PERMISSION, query=ReportQuery, tags=TAGS, responses=SCOPE_ERRORS,
     summary="The report as an Excel workbook (a sheet per table)")
async def report_xlsx(request: Request, principal: Principal, query: ReportQuery):
    report = await report_for(request, principal, query)
    data = await asyncio.to_thread(to_xlsx, report_sheets.sheets(report,
                                                                 request_locale(request)))
    return attachment(data, report_sheets.filename(report, "xlsx"))


@api("GET", permission=PERMISSION, query=ReportQuery, tags=TAGS, responses=SCOPE_ERRORS,
     summary="A printable PDF summary of the report (Vietnamese; English for English readers)")
async def report_pdf_summary(request: Request, principal: Principal, query: ReportQuery):
    report = await report_for(request, principal, query)
    data = await asyncio.to_thread(report_pdf.render, report, request_locale(request))
    return attachment(data, report_sheets.filename(report, "pdf"))


@api("GET", permission=PERMISSION, tags=TAGS,
     responses={403: "Outside the supervisor's unit", 404: "Not a person of the institution"},
     summary="One person: requirements vs current levels, gaps, evidence, classes taken")
async def get_person(request: Request, principal: Principal):
    """The needs API's answer for the person (`gaps`, `meets_standard`, `classes` that close
    the gaps) with their valid and expired evidence and every class they were enrolled in."""
    return await report_access.person(principal, path_int(request, "user_id"))


def routes() -> list[BaseRoute]:
    def r(path: str, endpoint: Any) -> Route:
        return Route(PREFIX + path, endpoint, methods=[endpoint.__lms_api__.method],
                     name=f"api.assessment_{endpoint.__name__}")

    return [r("", get_report), r("/export.csv", report_csv), r("/export.xlsx", report_xlsx),
            r("/summary.pdf", report_pdf_summary),
            r("/people/{user_id:int}", get_person)]
