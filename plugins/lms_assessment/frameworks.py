"""Competency frameworks in the database: what an institution may read (its own, and the shared
ones it uses), importing a parsed file into one in a single transaction, and resolving the
competency codes courses and positions name.

Codes resolve within the frameworks an institution uses, its own first (by framework code),
then the shared ones it adopted (by code): a course of the district that names ``NL-CDS-01``
means the city's competency when the district uses the city's framework.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from lms_core.http.problems import Problem
from lms_core.models import Institution

from lms_assessment.framework_files import FrameworkIn
from lms_assessment.models import Competency, CompetencyGroup, CompetencyLevel, Framework, \
    FrameworkUse


async def readable(institution_id: int) -> list[Framework]:
    used = await FrameworkUse.filter(institution_id=institution_id).values_list(
        "framework_id", flat=True)
    return await Framework.filter(Q(institution_id=institution_id) | Q(id__in=list(used))
                                  ).order_by("code", "id")


async def shared_elsewhere(institution_id: int) -> list[Framework]:
    """Shared frameworks of other institutions, to adopt."""
    return await Framework.filter(shared=True).exclude(institution_id=institution_id).order_by(
        "code", "id")


async def get_readable(institution_id: int, framework_id: int) -> Framework:
    framework = await Framework.get_or_none(id=framework_id)
    if framework is None or (framework.institution_id != institution_id and not (
            framework.shared and await FrameworkUse.filter(
                institution_id=institution_id, framework_id=framework_id).exists())):
        raise Problem(404, "Không tìm thấy khung năng lực.", "Competency framework not found.")
    return framework


async def get_own(institution_id: int, framework_id: int) -> Framework:
    framework = await get_readable(institution_id, framework_id)
    if framework.institution_id != institution_id:
        raise Problem(403, "Khung năng lực này do đơn vị khác ban hành: chỉ xem và sử dụng, "
                           "không sửa được.",
                      "This framework is published by another institution: you may use it, "
                      "not edit it.")
    return framework


async def tree(framework: Framework) -> dict[str, Any]:
    groups = await CompetencyGroup.filter(framework_id=framework.id).order_by(
        "position", "code").values("id", "code", "name", "name_en")
    group_code = {g["id"]: g["code"] for g in groups}
    comps = await Competency.filter(framework_id=framework.id).order_by(
        "position", "code").values("id", "code", "name", "name_en", "description", "group_id",
                                   "rule", "source_priority", "case_id")
    levels: dict[int, list[dict[str, Any]]] = {}
    for row in await CompetencyLevel.filter(competency__framework_id=framework.id).order_by(
            "level").values("competency_id", "level", "descriptor", "descriptor_en"):
        levels.setdefault(row["competency_id"], []).append(
            {"level": row["level"], "descriptor": row["descriptor"],
             "descriptor_en": row["descriptor_en"]})
    owner = await Institution.get(id=framework.institution_id)
    return {
        "id": framework.id, "code": framework.code, "name": framework.name,
        "name_en": framework.name_en, "version": framework.version, "shared": framework.shared,
        "default_rule": getattr(framework.default_rule, "value", framework.default_rule),
        "institution_id": framework.institution_id, "institution_name": owner.name,
        "case_id": framework.case_id, "created_at": framework.created_at,
        "groups": [{k: g[k] for k in ("code", "name", "name_en")} for g in groups],
        "competencies": [{
            "id": c["id"], "code": c["code"], "name": c["name"], "name_en": c["name_en"],
            "description": c["description"], "group": group_code.get(c["group_id"]),
            "rule": getattr(c["rule"], "value", c["rule"]),
            "source_priority": c["source_priority"] or [], "case_id": c["case_id"],
            "levels": levels.get(c["id"], [])} for c in comps],
    }


async def import_into(institution_id: int, parsed: FrameworkIn, *, code: str, name: str = "",
                      framework_id: int | None = None, shared: bool | None = None
                      ) -> tuple[Framework, dict[str, int]]:
    """Create the framework (``framework_id`` None) or merge into an own one: groups and
    competencies are matched by code, updated or added; nothing is deleted (a competency that
    evidence and positions point to must not vanish with a shorter file)."""
    counts = {"groups_added": 0, "competencies_added": 0, "competencies_updated": 0}
    async with in_transaction():
        if framework_id is None:
            if await Framework.filter(institution_id=institution_id, code=code).exists():
                raise Problem(409, f"Đã có khung năng lực mã {code}.",
                              f"A framework with code {code} already exists.")
            framework = await Framework.create(
                institution_id=institution_id, code=code, name=(name or parsed.name or code)[:255],
                version=parsed.version or "1", case_id=parsed.case_id, shared=bool(shared))
        else:
            framework = await get_own(institution_id, framework_id)
            if shared is not None:
                framework.shared = shared
            if parsed.version:
                framework.version = parsed.version
            await framework.save()
        groups = {g.code: g for g in await CompetencyGroup.filter(framework_id=framework.id)}
        for position, g in enumerate(parsed.groups):
            if g.code in groups:
                row = groups[g.code]
                row.name, row.name_en = g.name, g.name_en or row.name_en
                await row.save()
            else:
                groups[g.code] = await CompetencyGroup.create(
                    framework_id=framework.id, code=g.code, name=g.name, name_en=g.name_en,
                    position=position)
                counts["groups_added"] += 1
        existing = {c.code: c for c in await Competency.filter(framework_id=framework.id)}
        for position, c in enumerate(parsed.competencies):
            group = groups.get(c.group) if c.group else None
            row = existing.get(c.code)
            if row is None:
                row = await Competency.create(
                    framework_id=framework.id, group=group, code=c.code, name=c.name,
                    name_en=c.name_en, description=c.description, position=position,
                    case_id=c.case_id)
                counts["competencies_added"] += 1
            else:
                row.name, row.name_en, row.description = c.name, c.name_en, c.description
                row.group = group
                row.position = position
                if c.case_id:
                    row.case_id = c.case_id
                await row.save()
                counts["competencies_updated"] += 1
            for level, text in c.levels.items():
                await CompetencyLevel.update_or_create(
                    defaults={"descriptor": text}, competency_id=row.id, level=level)
    return framework, counts


async def use(institution_id: int, framework_id: int, on: bool) -> None:
    framework = await Framework.get_or_none(id=framework_id)
    if framework is None or (not framework.shared and framework.institution_id != institution_id):
        raise Problem(404, "Không tìm thấy khung năng lực.", "Competency framework not found.")
    if framework.institution_id == institution_id:
        return  # its own framework is always in use
    if on:
        await FrameworkUse.get_or_create(institution_id=institution_id, framework_id=framework_id)
    else:
        await FrameworkUse.filter(institution_id=institution_id,
                                  framework_id=framework_id).delete()


async def resolve_codes(institution_id: int) -> dict[str, int]:
    """Competency code -> id, own frameworks winning over adopted ones."""
    frameworks = await readable(institution_id)
    order = sorted(frameworks, key=lambda f: (f.institution_id != institution_id, f.code, f.id))
    out: dict[str, int] = {}
    rank = {f.id: i for i, f in enumerate(order)}
    rows = await Competency.filter(framework_id__in=[f.id for f in order]).values_list(
        "code", "id", "framework_id")
    for code, cid, fid in sorted(rows, key=lambda r: rank[r[2]], reverse=True):
        out[code] = cid
    return out
