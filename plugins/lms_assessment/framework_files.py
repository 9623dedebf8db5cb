"""Competency frameworks in and out of files: CSV (one row per competency, its five level
descriptors in columns) and IMS CASE 1.0 JSON (a CFPackage: the document, groups and
competencies as CFItems tied by ``isChildOf`` associations, the levels as a CFRubric per
competency). Parsing is pure and checks the whole file first: a file with an error is refused
whole, with the line (CSV) or the item (CASE) and what was expected; nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

CSV_HEADERS = ("group_code", "group_name", "group_name_en", "code", "name", "name_en",
               "description", "level_1", "level_2", "level_3", "level_4", "level_5")
CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_ROWS = 5000
CASE_NS = uuid.UUID("0b7f3e6a-9a55-5c59-8f0a-6d3a8e2c4b11")


class FileError(ValueError):
    """Every problem found, each ``{"line"|"item", "message_vi", "message_en"}``."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(problems[0]["message_en"] if problems else "invalid file")
        self.problems = problems


@dataclass
class GroupIn:
    code: str
    name: str
    name_en: str = ""


@dataclass
class CompetencyIn:
    code: str
    name: str
    name_en: str = ""
    description: str = ""
    group: str = ""
    levels: dict[int, str] = field(default_factory=dict)
    case_id: str = ""


@dataclass
class FrameworkIn:
    name: str = ""
    version: str = ""
    case_id: str = ""
    groups: list[GroupIn] = field(default_factory=list)
    competencies: list[CompetencyIn] = field(default_factory=list)


def _problem(where: str, at: Any, vi: str, en: str) -> dict[str, Any]:
    return {where: at, "message_vi": vi, "message_en": en}


def parse_csv(data: bytes) -> FrameworkIn:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError([_problem("line", 1, "Tệp phải là CSV mã hoá UTF-8.",
                                  "The file must be UTF-8 CSV.")]) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FileError([_problem("line", 1, "Tệp rỗng.", "The file is empty.")]) from None
    missing = [h for h in ("code", "name") if h not in header]
    unknown = [h for h in header if h and h not in CSV_HEADERS]
    if missing or unknown:
        raise FileError([_problem(
            "line", 1, f"Dòng tiêu đề phải có các cột {', '.join(CSV_HEADERS)}"
                       f"{'; thiếu ' + ', '.join(missing) if missing else ''}"
                       f"{'; không biết cột ' + ', '.join(unknown) if unknown else ''}.",
            f"The header must name the columns {', '.join(CSV_HEADERS)}"
            f"{'; missing ' + ', '.join(missing) if missing else ''}"
            f"{'; unknown ' + ', '.join(unknown) if unknown else ''}.")])
    out = FrameworkIn()
    problems: list[dict[str, Any]] = []
    groups: dict[str, GroupIn] = {}
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(out.competencies) >= MAX_ROWS:
            problems.append(_problem("line", line, f"Tối đa {MAX_ROWS} năng lực một tệp.",
                                     f"At most {MAX_ROWS} competencies per file."))
            break
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        code, name = cells.get("code", ""), cells.get("name", "")
        if not CODE_RE.match(code):
            problems.append(_problem("line", line, f"Mã năng lực “{code[:70]}” không hợp lệ "
                                     "(chữ, số, . _ -, tối đa 64 ký tự).",
                                     f"Invalid competency code “{code[:70]}” (letters, digits, "
                                     ". _ -, up to 64 characters)."))
            continue
        if code in seen:
            problems.append(_problem("line", line, f"Mã năng lực {code} trùng với dòng "
                                     f"{seen[code]}.", f"Competency code {code} repeats line "
                                     f"{seen[code]}."))
            continue
        seen[code] = line
        if not name:
            problems.append(_problem("line", line, "Thiếu tên năng lực (cột name).",
                                     "The competency has no name (column name)."))
            continue
        group = cells.get("group_code", "")
        if group:
            if not CODE_RE.match(group):
                problems.append(_problem("line", line, f"Mã nhóm “{group[:70]}” không hợp lệ.",
                                         f"Invalid group code “{group[:70]}”."))
                continue
            if group not in groups:
                groups[group] = GroupIn(group, cells.get("group_name", "") or group,
                                        cells.get("group_name_en", ""))
        levels = {n: cells.get(f"level_{n}", "") for n in range(1, 6)}
        out.competencies.append(CompetencyIn(
            code=code, name=name[:255], name_en=cells.get("name_en", "")[:255],
            description=cells.get("description", ""), group=group,
            levels={n: t for n, t in levels.items() if t}))
    if problems:
        raise FileError(problems[:50])
    if not out.competencies:
        raise FileError([_problem("line", 2, "Tệp không có năng lực nào.",
                                  "The file holds no competency.")])
    out.groups = list(groups.values())
    return out


def to_csv(framework: dict[str, Any]) -> bytes:
    """``framework`` as ``frameworks.tree`` gives it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    names = {g["code"]: g for g in framework["groups"]}
    for c in framework["competencies"]:
        g = names.get(c["group"] or "", {})
        levels = {lv["level"]: lv["descriptor"] for lv in c["levels"]}
        writer.writerow([c["group"] or "", g.get("name", ""), g.get("name_en", ""), c["code"],
                         c["name"], c["name_en"], c["description"],
                         *(levels.get(n, "") for n in range(1, 6))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- IMS CASE 1.0 -----------------------------------------------------------------------------

def _cid(*parts: Any) -> str:
    return str(uuid.uuid5(CASE_NS, ":".join(str(p) for p in parts)))


def to_case(framework: dict[str, Any], base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    doc_id = framework.get("case_id") or _cid("framework", framework["id"])
    stamp = (framework.get("updated_at") or framework.get("created_at") or "")
    stamp = stamp.isoformat() if hasattr(stamp, "isoformat") else str(stamp)

    def uri(kind: str, identifier: str) -> str:
        return f"{base}/ims/case/v1p0/{kind}/{identifier}"

    def node(title: str, identifier: str, kind: str) -> dict[str, str]:
        return {"title": title, "identifier": identifier, "uri": uri(kind, identifier)}

    document = {"identifier": doc_id, "uri": uri("CFDocuments", doc_id),
                "creator": framework.get("institution_name", ""), "title": framework["name"],
                "version": framework.get("version", ""), "lastChangeDateTime": stamp,
                "language": "vi", "adoptionStatus": "Adopted",
                "humanCodingScheme": framework["code"]}
    items, associations, rubrics = [], [], []
    group_ids: dict[str, str] = {}
    for g in framework["groups"]:
        gid = _cid("group", doc_id, g["code"])
        group_ids[g["code"]] = gid
        items.append({"identifier": gid, "uri": uri("CFItems", gid), "fullStatement": g["name"],
                      "humanCodingScheme": g["code"], "CFItemType": "Competency Group",
                      "language": "vi", "lastChangeDateTime": stamp,
                      "CFDocumentURI": node(framework["name"], doc_id, "CFDocuments"),
                      **({"alternativeLabel": g["name_en"]} if g.get("name_en") else {})})
        associations.append(_child(gid, g["name"], doc_id, framework["name"], "CFDocuments",
                                   uri, stamp))
    for c in framework["competencies"]:
        cid = c.get("case_id") or _cid("competency", doc_id, c["code"])
        items.append({"identifier": cid, "uri": uri("CFItems", cid), "fullStatement": c["name"],
                      "humanCodingScheme": c["code"], "CFItemType": "Competency",
                      "language": "vi", "lastChangeDateTime": stamp,
                      "CFDocumentURI": node(framework["name"], doc_id, "CFDocuments"),
                      **({"alternativeLabel": c["name_en"]} if c.get("name_en") else {}),
                      **({"notes": c["description"]} if c.get("description") else {})})
        parent = group_ids.get(c["group"] or "")
        associations.append(_child(cid, c["name"], parent or doc_id,
                                   "" if parent else framework["name"],
                                   "CFItems" if parent else "CFDocuments", uri, stamp))
        if c["levels"]:
            rid = _cid("rubric", doc_id, c["code"])
            rubrics.append({
                "identifier": rid, "uri": uri("CFRubrics", rid),
                "title": f"Mức độ thành thạo: {c['name']}", "lastChangeDateTime": stamp,
                "CFRubricCriteria": [{
                    "identifier": _cid("criterion", rid), "uri": uri("CFRubricCriteria",
                                                                     _cid("criterion", rid)),
                    "CFItemURI": node(c["name"], cid, "CFItems"), "rubricId": rid,
                    "lastChangeDateTime": stamp,
                    "CFRubricCriterionLevels": [{
                        "identifier": _cid("level", rid, lv["level"]),
                        "uri": uri("CFRubricCriterionLevels", _cid("level", rid, lv["level"])),
                        "description": lv["descriptor"], "quality": f"Mức {lv['level']}",
                        "score": lv["level"], "position": lv["level"],
                        "lastChangeDateTime": stamp} for lv in c["levels"]]}]})
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations,
            "CFRubrics": rubrics}


def _child(origin: str, origin_title: str, dest: str, dest_title: str, dest_kind: str,
           uri: Any, stamp: str) -> dict[str, Any]:
    aid = _cid("association", origin, dest)
    return {"identifier": aid, "uri": uri("CFAssociations", aid), "associationType": "isChildOf",
            "lastChangeDateTime": stamp,
            "originNodeURI": {"title": origin_title, "identifier": origin,
                              "uri": uri("CFItems", origin)},
            "destinationNodeURI": {"title": dest_title, "identifier": dest,
                                   "uri": uri(dest_kind, dest)}}


def parse_case(data: bytes) -> FrameworkIn:
    try:
        package = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FileError([_problem("item", None, "Tệp không phải JSON hợp lệ.",
                                  "The file is not valid JSON.")]) from None
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict) \
            or not isinstance(package.get("CFItems", []), list):
        raise FileError([_problem("item", None, "Cần một CFPackage của IMS CASE 1.0 (CFDocument "
                                  "và CFItems).", "Expected an IMS CASE 1.0 CFPackage "
                                  "(CFDocument and CFItems).")])
    doc = package["CFDocument"]
    out = FrameworkIn(name=str(doc.get("title") or "")[:255],
                      version=str(doc.get("version") or "")[:32],
                      case_id=str(doc.get("identifier") or "")[:64])
    problems: list[dict[str, Any]] = []
    items: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(package.get("CFItems") or []):
        if not isinstance(item, dict) or not isinstance(item.get("identifier"), str):
            problems.append(_problem("item", index, "Mục thiếu “identifier”.",
                                     "An item has no “identifier”."))
            continue
        items[item["identifier"]] = {**item, "_index": index}
    parent_of: dict[str, str] = {}
    for assoc in package.get("CFAssociations") or []:
        if isinstance(assoc, dict) and assoc.get("associationType") == "isChildOf":
            origin = (assoc.get("originNodeURI") or {}).get("identifier")
            dest = (assoc.get("destinationNodeURI") or {}).get("identifier")
            if isinstance(origin, str) and isinstance(dest, str):
                parent_of[origin] = dest
    levels: dict[str, dict[int, str]] = {}
    for rubric in package.get("CFRubrics") or []:
        for criterion in (rubric or {}).get("CFRubricCriteria") or []:
            target = ((criterion or {}).get("CFItemURI") or {}).get("identifier")
            for level in (criterion or {}).get("CFRubricCriterionLevels") or []:
                score = (level or {}).get("score", (level or {}).get("position"))
                if isinstance(target, str) and isinstance(score, (int, float)) \
                        and 1 <= int(score) <= 5:
                    levels.setdefault(target, {})[int(score)] = str(level.get("description")
                                                                    or "")
    groups: dict[str, GroupIn] = {}
    group_codes: dict[str, str] = {}
    seen: set[str] = set()
    for identifier, item in items.items():
        kind = str(item.get("CFItemType") or "").lower()
        code = str(item.get("humanCodingScheme") or "").strip()
        name = str(item.get("fullStatement") or "").strip()
        if kind in ("competency group", "group", "domain", "cluster"):
            if CODE_RE.match(code) and name:
                groups[identifier] = GroupIn(code, name[:255],
                                             str(item.get("alternativeLabel") or "")[:255])
                group_codes[identifier] = code
            else:
                problems.append(_problem("item", item["_index"], "Nhóm năng lực cần "
                                         "humanCodingScheme (mã) và fullStatement (tên).",
                                         "A competency group needs humanCodingScheme (code) "
                                         "and fullStatement (name)."))
    for identifier, item in items.items():
        if identifier in groups:
            continue
        code = str(item.get("humanCodingScheme") or "").strip()
        name = str(item.get("fullStatement") or "").strip()
        if not CODE_RE.match(code):
            problems.append(_problem("item", item["_index"], f"Năng lực “{name[:60]}” thiếu mã "
                                     "hợp lệ (humanCodingScheme).", f"Competency “{name[:60]}” "
                                     "has no valid code (humanCodingScheme)."))
            continue
        if code in seen:
            problems.append(_problem("item", item["_index"], f"Mã năng lực {code} bị trùng.",
                                     f"Competency code {code} repeats."))
            continue
        seen.add(code)
        if not name:
            problems.append(_problem("item", item["_index"], f"Năng lực {code} thiếu tên "
                                     "(fullStatement).", f"Competency {code} has no name "
                                     "(fullStatement)."))
            continue
        out.competencies.append(CompetencyIn(
            code=code, name=name[:255], name_en=str(item.get("alternativeLabel") or "")[:255],
            description=str(item.get("notes") or ""),
            group=group_codes.get(parent_of.get(identifier, ""), ""),
            levels=levels.get(identifier, {}), case_id=identifier[:64]))
    if problems:
        raise FileError(problems[:50])
    if not out.competencies:
        raise FileError([_problem("item", None, "Gói CASE không có năng lực nào.",
                                  "The CASE package holds no competency.")])
    out.groups = list(groups.values())
    return out
