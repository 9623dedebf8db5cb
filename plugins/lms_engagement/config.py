"""The institution's engagement settings, read defensively: a hand-edited value that makes no
sense falls back to the default instead of breaking the figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lms_core.services.settings import get_setting

HEARTBEAT = "engagement.heartbeat_seconds"
IDLE = "engagement.idle_seconds"
CHECK_EVERY = "engagement.attention_check_minutes"
CHECK_SECONDS = "engagement.attention_check_seconds"
RULE = "engagement.attendance_rule"
RETENTION = "engagement.retention_days"

DEFAULTS: dict[str, Any] = {
    HEARTBEAT: 15,
    IDLE: 60,
    CHECK_EVERY: 10.0,
    CHECK_SECONDS: 20,
    RULE: {"min_attentive_share": 0.7, "min_interactions": 1},
    RETENTION: 365,
}

DESCRIPTIONS = {
    HEARTBEAT: "Khoảng cách (giây) giữa hai nhịp báo trang còn mở; mất nhịp quá 2 lần khoảng "
               "này được tính là rời trang.",
    IDLE: "Không thao tác quá số giây này thì được tính là không tập trung (idle).",
    CHECK_EVERY: "Tự gửi câu hỏi “Anh/chị còn theo dõi không?” sau số phút này không có hoạt "
                 "động nào trong phiên trực tiếp (0 = không tự gửi).",
    CHECK_SECONDS: "Số giây học viên có để trả lời câu hỏi kiểm tra sự chú ý.",
    RULE: "Quy tắc tính một tiết học là có tham gia: tỉ lệ thời gian chú ý tối thiểu "
          "(min_attentive_share, 0–1) và số lần tương tác tối thiểu (min_interactions).",
    RETENTION: "Số ngày giữ dữ liệu tương tác chi tiết; dữ liệu cũ hơn được xoá tự động hằng "
               "ngày (kết quả từng tiết học vẫn được giữ trong hồ sơ học tập).",
}


@dataclass(frozen=True)
class Rule:
    min_attentive_share: float = 0.7
    min_interactions: int = 1


def _number(value: Any, default: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        return default
    return float(value)


async def heartbeat(plugins: Any, institution_id: int) -> float:
    return _number(await get_setting(plugins, institution_id, HEARTBEAT), 15, 1, 600)


async def idle_seconds(plugins: Any, institution_id: int) -> float:
    return _number(await get_setting(plugins, institution_id, IDLE), 60, 5, 3600)


async def check_every_minutes(plugins: Any, institution_id: int) -> float:
    return _number(await get_setting(plugins, institution_id, CHECK_EVERY), 10, 0, 240)


async def check_seconds(plugins: Any, institution_id: int) -> int:
    return int(_number(await get_setting(plugins, institution_id, CHECK_SECONDS), 20, 5, 300))


async def rule(plugins: Any, institution_id: int) -> Rule:
    raw = await get_setting(plugins, institution_id, RULE)
    raw = raw if isinstance(raw, dict) else {}
    return Rule(
        min_attentive_share=_number(raw.get("min_attentive_share"), 0.7, 0, 1),
        min_interactions=int(_number(raw.get("min_interactions"), 1, 0, 1000)))


async def retention_days(plugins: Any, institution_id: int) -> int:
    return int(_number(await get_setting(plugins, institution_id, RETENTION), 365, 1, 3650))
