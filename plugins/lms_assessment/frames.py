"""Competency frames of job positions (khung năng lực theo vị trí việc làm): what each position
requires, with the courses of the institution that teach each competency."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from lms_core.http.problems import Problem
from lms_core.models import Course, JobPosition
from lms_assessment.models import PositionCompetency
from lms_assessment.schemas import CompetencyRequirement


async def course_catalogue(institution_id: int) -> dict[str, dict[str, Any]]:
    """code -> {name, name_en, course_ids} over the institution's courses."""
    out: dict[str, dict[str, Any]] = {}
    rows = await Course.filter(institution_id=institution_id).order_by("id").values_list(
        "id", "competencies")
    for course_id, items in rows:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("code"), str):
                continue
            entry = out.setdefault(item["code"], {"name": item.get("name") or "",
                                                  "name_en": item.get("name_en") or "",
                                                  "course_ids": []})
            entry["course_ids"].append(course_id)
    return out


async def _position(institution_id: int, position_id: int) -> dict[str, Any]:
    row = await JobPosition.filter(id=position_id, institution_id=institution_id).first()\
        .values("id", "code", "title", "level", "unit_id")
    if row is None:
        raise Problem(404, "Không tìm thấy vị trí việc làm.", "Job position not found.")
    return row


def _requirement(code: str, level: int, catalogue: dict[str, dict[str, Any]],
                 mandatory: bool = True, weight: float = 1.0) -> dict[str, Any]:
    known = catalogue.get(code)
    return {"code": code, "required_level": level, "mandatory": mandatory, "weight": weight,
            "name": known["name"] if known else "", "name_en": known["name_en"] if known else "",
            "course_ids": known["course_ids"] if known else []}


async def positions_with_frames(institution_id: int) -> list[dict[str, Any]]:
    positions = await JobPosition.filter(institution_id=institution_id).order_by("code", "id")\
        .values("id", "code", "title", "level", "unit_id")
    catalogue = await course_catalogue(institution_id)
    required: dict[int, list[dict[str, Any]]] = {}
    rows = await PositionCompetency.filter(institution_id=institution_id).order_by("code")\
        .values_list("position_id", "code", "required_level", "mandatory", "weight")
    for position_id, code, level, mandatory, weight in rows:
        required.setdefault(position_id, []).append(
            _requirement(code, level, catalogue, bool(mandatory), weight))
    return [{**p, "competencies": required.get(p["id"], [])} for p in positions]


async def position_frame(institution_id: int, position_id: int) -> dict[str, Any]:
    position = await _position(institution_id, position_id)
    catalogue = await course_catalogue(institution_id)
    rows = await PositionCompetency.filter(institution_id=institution_id,
                                           position_id=position_id).order_by("code")\
        .values_list("code", "required_level", "mandatory", "weight")
    return {**position, "competencies": [_requirement(c, lv, catalogue, bool(m), w)
                                         for c, lv, m, w in rows]}


async def set_frame(institution_id: int, position_id: int,
                    items: list[CompetencyRequirement]) -> dict[str, Any]:
    """Replace the whole frame at once: what an admin edits is one list, and a half-applied
    list would misstate coverage."""
    await _position(institution_id, position_id)
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.code in seen:
            raise Problem(422, f"Mã năng lực {item.code} bị trùng (mục {seen[item.code]} và "
                               f"{index}).",
                          f"Competency code {item.code} is listed twice ({seen[item.code]} and "
                          f"{index}).", errors=[{"field": f"items.{index}.code",
                                                 "location": "body", "message": "duplicate"}])
        seen[item.code] = index
    async with in_transaction():
        await PositionCompetency.filter(institution_id=institution_id,
                                        position_id=position_id).delete()
        if items:
            await PositionCompetency.bulk_create([
                PositionCompetency(institution_id=institution_id, position_id=position_id,
                                   code=item.code, required_level=item.required_level,
                                   mandatory=item.mandatory, weight=item.weight)
                for item in items
            ])
    return await position_frame(institution_id, position_id)
