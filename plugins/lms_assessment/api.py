"""JSON endpoints of the assessment plugin, under /api/v1/assessment/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.downloads import attachment
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem

from lms_assessment import duplication, framework_files, frameworks, frames, needs, overlap, \
    standard
from lms_assessment.models import Exemption, ExemptionStatus
from lms_assessment.schemas import CompetencySet, DuplicationQuery, ExemptionDecision, \
    ExemptionQuery, ExemptionRequest, FrameworkImport, FrameworkUseBody, NeedsQuery
from lms_assessment.scope import needs_scope as _needs_scope, person_in_scope as \
    _person_in_scope, person_needs_scope  # the old names, for callers

PREFIX = "/api/v1/assessment"
TAGS = ("assessment",)


@api("GET", permission="assessment.report", tags=TAGS,
     summary="Job positions with the competencies each requires")
async def list_frames(request: Request, principal: Principal):
    return {"items": await frames.positions_with_frames(principal.institution_id)}


@api("GET", permission="assessment.report", tags=TAGS,
     summary="Competencies one job position requires", responses={404: "Position not found"})
async def get_frame(request: Request, principal: Principal):
    return await frames.position_frame(principal.institution_id,
                                       path_int(request, "position_id"))


@api("PUT", permission="assessment.frameworks", body=CompetencySet, tags=TAGS,
     summary="Set the competencies a job position requires (replaces the list)",
     responses={404: "Position not found"})
async def set_frame(request: Request, principal: Principal, body: CompetencySet):
    return await frames.set_frame(principal.institution_id, path_int(request, "position_id"),
                                  body.items)


def _summary(f: "frameworks.Framework", institution_id: int) -> dict:
    return {"id": f.id, "code": f.code, "name": f.name, "name_en": f.name_en,
            "version": f.version, "shared": f.shared, "own": f.institution_id == institution_id,
            "institution_id": f.institution_id}


@api("GET", permission="assessment.frameworks", tags=TAGS,
     summary="Competency frameworks in use, and the shared ones that may be adopted")
async def list_frameworks(request: Request, principal: Principal):
    institution_id = principal.institution_id
    return {"items": [_summary(f, institution_id)
                      for f in await frameworks.readable(institution_id)],
            "available": [_summary(f, institution_id)
                          for f in await frameworks.shared_elsewhere(institution_id)]}


@api("GET", permission="assessment.frameworks", tags=TAGS,
     summary="One framework: groups, competencies and their five levels",
     responses={404: "Not found (or another institution's unshared framework)"})
async def get_framework(request: Request, principal: Principal):
    framework = await frameworks.get_readable(principal.institution_id,
                                              path_int(request, "framework_id"))
    return await frameworks.tree(framework)


def _parse(body: FrameworkImport) -> "framework_files.FrameworkIn":
    data = body.content.encode("utf-8")
    try:
        return (framework_files.parse_csv(data) if body.format == "csv"
                else framework_files.parse_case(data))
    except framework_files.FileError as exc:
        first = exc.problems[0]
        where = (f"dòng {first['line']}: " if first.get("line") else
                 f"mục {first['item']}: " if first.get("item") is not None else "")
        where_en = (f"line {first['line']}: " if first.get("line") else
                    f"item {first['item']}: " if first.get("item") is not None else "")
        raise Problem(422, f"Tệp không nhập được, {where}{first['message_vi']}",
                      f"The file cannot be imported, {where_en}{first['message_en']}",
                      errors=exc.problems) from None


def _preview(parsed: "framework_files.FrameworkIn") -> dict:
    return {"preview": True, "name": parsed.name, "version": parsed.version,
            "groups": [g.__dict__ for g in parsed.groups],
            "competencies": [{**c.__dict__, "levels": {str(k): v for k, v in c.levels.items()}}
                             for c in parsed.competencies]}


@api("POST", permission="assessment.frameworks", body=FrameworkImport, tags=TAGS, status=201,
     summary="Create a framework from a CSV or IMS CASE file (or preview it)",
     responses={409: "The code is taken", 422: "The file has an error (line or item named)"})
async def import_framework(request: Request, principal: Principal, body: FrameworkImport):
    """The whole file is checked first; with an error nothing is stored and every problem is
    listed in `errors` with its line (CSV) or item (CASE). `preview: true` stores nothing."""
    parsed = _parse(body)
    if body.preview:
        return _preview(parsed)
    if not body.code:
        raise Problem(422, "Cần mã (code) cho khung năng lực mới.",
                      "A new framework needs a code.",
                      errors=[{"field": "code", "location": "body", "message": "required"}])
    framework, counts = await frameworks.import_into(
        principal.institution_id, parsed, code=body.code, name=body.name, shared=body.shared)
    return {**await frameworks.tree(framework), "imported": counts}


@api("POST", permission="assessment.frameworks", body=FrameworkImport, tags=TAGS,
     summary="Merge a CSV or IMS CASE file into an own framework (or preview it)",
     responses={403: "Another institution's framework", 422: "The file has an error"})
async def merge_framework(request: Request, principal: Principal, body: FrameworkImport):
    """Competencies and groups are matched by code: updated or added, never deleted (evidence
    and positions may point at them)."""
    framework_id = path_int(request, "framework_id")
    await frameworks.get_own(principal.institution_id, framework_id)
    parsed = _parse(body)
    if body.preview:
        return _preview(parsed)
    framework, counts = await frameworks.import_into(
        principal.institution_id, parsed, code="", framework_id=framework_id,
        shared=body.shared)
    return {**await frameworks.tree(framework), "imported": counts}


@api("GET", permission="assessment.frameworks", tags=TAGS, summary="A framework as CSV")
async def framework_csv(request: Request, principal: Principal):
    framework = await frameworks.get_readable(principal.institution_id,
                                              path_int(request, "framework_id"))
    tree = await frameworks.tree(framework)
    return attachment(framework_files.to_csv(tree), f"khung-nang-luc-{framework.code}.csv")


@api("GET", permission="assessment.frameworks", tags=TAGS,
     summary="A framework as an IMS CASE 1.0 package (JSON)")
async def framework_case(request: Request, principal: Principal):
    framework = await frameworks.get_readable(principal.institution_id,
                                              path_int(request, "framework_id"))
    tree = await frameworks.tree(framework)
    return framework_files.to_case(tree, str(request.base_url))


@api("POST", permission="assessment.frameworks", body=FrameworkUseBody, tags=TAGS,
     summary="Use (or stop using) another institution's shared framework",
     responses={404: "Not a shared framework"})
async def use_framework(request: Request, principal: Principal, body: FrameworkUseBody):
    framework_id = path_int(request, "framework_id")
    await frameworks.use(principal.institution_id, framework_id, body.use)
    return {"framework_id": framework_id, "use": body.use}


@api("GET", permission="assessment.needs", query=NeedsQuery, tags=TAGS,
     summary="Training needs of a unit (with its sub-units), most urgent first",
     responses={403: "A supervisor asking outside their unit", 404: "Unit not found"})
async def unit_needs(request: Request, principal: Principal, query: NeedsQuery):
    """Per person the priority (weighted gaps, mandatory ones twice), per competency how many
    people need it, and the share meeting their position's standard."""
    scope = await _needs_scope(principal, query.unit_id)
    return await needs.unit(principal.institution_id, scope, query.position_id, query.limit)


@api("GET", permission="assessment.needs", tags=TAGS,
     summary="One person's gaps against their position, and the classes that close them",
     responses={403: "Outside the supervisor's unit", 404: "User not found"})
async def person_needs(request: Request, principal: Principal):
    result = await needs.person(principal.institution_id, path_int(request, "user_id"))
    await person_needs_scope(principal, result["unit_id"])
    return result


@api("GET", permission="assessment.needs", query=DuplicationQuery, tags=TAGS,
     summary="Has this person already got what the course develops? (before nominating)",
     responses={404: "No such user, course or class"})
async def duplication_check(request: Request, principal: Principal, query: DuplicationQuery):
    """`warn` when their valid evidence reaches the course's level in every competency it
    develops, or they completed the course in the last two years; the page then offers
    recognition of prior learning instead."""
    await _person_in_scope(principal, query.user_id)
    course_id = query.course_id
    if query.class_id is not None:
        from lms_core.models import CourseClass

        klass = await CourseClass.get_or_none(id=query.class_id,
                                              institution_id=principal.institution_id)
        if klass is None:
            raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
        course_id = klass.course_id
    if course_id is None:
        raise Problem(400, "Cần course_id hoặc class_id.", "Give course_id or class_id.")
    return await duplication.check(principal.institution_id, query.user_id, course_id)


@api("POST", permission="assessment.needs", body=ExemptionRequest, tags=TAGS, status=201,
     summary="Ask for recognition of prior learning instead of a course",
     responses={409: "A request is already waiting"})
async def request_exemption(request: Request, principal: Principal, body: ExemptionRequest):
    await _person_in_scope(principal, body.user_id)
    made = await duplication.request(principal.institution_id, body.user_id, body.course_id,
                                     body.class_id, body.reason, principal.user_id)
    return duplication.exemption_dict(made)


@api("GET", permission="assessment.manage", query=ExemptionQuery, tags=TAGS,
     summary="Recognition requests (pending first)")
async def list_exemptions(request: Request, principal: Principal, query: ExemptionQuery):
    qs = Exemption.filter(institution_id=principal.institution_id)
    if query.status != "all":
        qs = qs.filter(status=ExemptionStatus(query.status))
    return {"items": [duplication.exemption_dict(e)
                      for e in await qs.order_by("created_at", "id").limit(500)]}


@api("POST", permission="assessment.manage", body=ExemptionDecision, tags=TAGS,
     summary="Approve (evidence recorded, nomination withdrawn) or reject a recognition",
     responses={404: "Not found", 409: "Decided already"})
async def decide_exemption(request: Request, principal: Principal, body: ExemptionDecision):
    from lms_core.runtime import runtime

    done = await duplication.decide(runtime(request).plugins, principal.institution_id,
                                    path_int(request, "exemption_id"), body.approve, body.note,
                                    principal.user_id)
    return duplication.exemption_dict(done)


@api("GET", permission="assessment.report", tags=TAGS,
     summary="Courses that share competencies or content, and by how much")
async def course_overlap(request: Request, principal: Principal):
    return {"items": await overlap.report(principal.institution_id)}


@api("GET", permission="assessment.needs", query=NeedsQuery, tags=TAGS,
     summary="Share of staff meeting their position's required levels, per unit (profile)",
     responses={403: "A supervisor asking outside their unit", 404: "Unit not found"})
async def meeting_standard(request: Request, principal: Principal, query: NeedsQuery):
    """From the competency profile at this moment: a person meets the standard when every
    mandatory requirement of their position is reached. Each unit includes its sub-units."""
    scope = await _needs_scope(principal, query.unit_id)
    return await standard.report(principal.institution_id, scope)


def routes() -> list[BaseRoute]:
    def r(path: str, endpoint) -> Route:
        return Route(PREFIX + path, endpoint, methods=[endpoint.__lms_api__.method],
                     name=f"api.assessment_{endpoint.__name__}")

    return [
        r("/positions", list_frames),
        r("/positions/{position_id:int}/competencies", get_frame),
        r("/positions/{position_id:int}/competencies", set_frame),
        r("/frameworks", list_frameworks),
        r("/frameworks", import_framework),
        r("/frameworks/{framework_id:int}", get_framework),
        r("/frameworks/{framework_id:int}/import", merge_framework),
        r("/frameworks/{framework_id:int}/export.csv", framework_csv),
        r("/frameworks/{framework_id:int}/case.json", framework_case),
        r("/frameworks/{framework_id:int}/use", use_framework),
        r("/needs", unit_needs),
        r("/needs/people/{user_id:int}", person_needs),
        r("/duplication", duplication_check),
        r("/exemptions", request_exemption),
        r("/exemptions", list_exemptions),
        r("/exemptions/{exemption_id:int}/decide", decide_exemption),
        r("/overlap", course_overlap),
        r("/standard", meeting_standard),
    ]
