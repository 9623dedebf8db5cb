"""The rows Q&A and group discussion add to a session's export (see ``export``): every
question with its author (also of anonymous ones: the export is for those running the class),
votes and state, and every group's shared answer with its members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lms_live_sessions.models import Discussion, DiscussionGroup, DiscussionMember, \
    LiveQuestion
from lms_live_sessions.schemas import VN_TZ

QUESTION_HEADERS = ("Phiên học (Session)", "Mã câu hỏi (Question id)", "Câu hỏi (Question)",
                    "Người hỏi (Asked by)", "Tên đăng nhập (Login)",
                    "Ẩn danh (Anonymous)", "Trạng thái (Status)", "Lượt thích (Votes)",
                    "Ghim (Pinned)", "Đã trả lời (Answered)", "Thời điểm hỏi (Asked at)",
                    "Thời điểm trả lời (Answered at)")
GROUP_HEADERS = ("Phiên học (Session)", "Mã thảo luận (Discussion id)",
                 "Đề bài (Prompt)", "Nhóm (Group)", "Tên nhóm (Group name)",
                 "Thành viên (Members)", "Câu trả lời của nhóm (Group answer)",
                 "Lần sửa (Revision)", "Sửa lần cuối (Last edited at)")
STATUS_LABELS = {"pending": "Chờ duyệt (pending)", "visible": "Hiển thị (visible)",
                 "hidden": "Đã ẩn (hidden)"}


def _yes(value: bool) -> str:
    return "Có (yes)" if value else "Không (no)"


def _when(value: Any) -> str:
    return value.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S") if value else ""


async def question_rows(session_ids: Sequence[int], institution_id: int) -> list[list[Any]]:
    """By session time, then as the room saw them: most votes first, then oldest first."""
    rows = await LiveQuestion.filter(
        session_id__in=list(session_ids) or [0], institution_id=institution_id).order_by(
        "session__starts_at", "session_id", "-votes", "created_at", "id").values(
        "session__title", "id", "text", "user__full_name", "user__login", "anonymous",
        "status", "votes", "pinned", "answered", "created_at", "answered_at")
    return [[r["session__title"], r["id"], r["text"], r["user__full_name"], r["user__login"],
             _yes(r["anonymous"]), STATUS_LABELS[getattr(r["status"], "value", r["status"])],
             r["votes"], _yes(r["pinned"]), _yes(r["answered"]), _when(r["created_at"]),
             _when(r["answered_at"])] for r in rows]


async def group_rows(session_ids: Sequence[int], institution_id: int) -> list[list[Any]]:
    discussions = await Discussion.filter(
        session_id__in=list(session_ids) or [0], institution_id=institution_id).order_by(
        "session__starts_at", "session_id", "id").values("id", "prompt", "session__title")
    ids = [d["id"] for d in discussions]
    members: dict[int, list[str]] = {}
    for m in await DiscussionMember.filter(discussion_id__in=ids or [0]).order_by(
            "user__sort_key", "user_id").values("group_id", "user__full_name"):
        members.setdefault(m["group_id"], []).append(m["user__full_name"])
    by_discussion: dict[int, list[dict[str, Any]]] = {}
    for g in await DiscussionGroup.filter(discussion_id__in=ids or [0]).order_by(
            "number").values("id", "discussion_id", "number", "name", "answer", "revision",
                             "updated_at"):
        by_discussion.setdefault(g["discussion_id"], []).append(g)
    out = []
    for d in discussions:
        for g in by_discussion.get(d["id"], []):
            out.append([d["session__title"], d["id"], d["prompt"], g["number"], g["name"],
                        "; ".join(members.get(g["id"], [])), g["answer"], g["revision"],
                        _when(g["updated_at"])])
    return out
