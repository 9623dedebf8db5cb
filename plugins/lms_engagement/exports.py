"""The reports as spreadsheets (CSV and XLSX, the same tables): the figures the report page
shows, with bilingual headers and durations in minutes (what people read in a sheet)."""

from __future__ import annotations

from typing import Any

from lms_core.spreadsheets import Sheet

PERIOD_HEADERS = ("Họ và tên (Full name)", "Tên đăng nhập (Login)", "Có mặt, phút (Present, min)",
                  "Chú ý, phút (Attentive, min)", "Tỉ lệ chú ý (Attentive share)",
                  "Số lần rời trang (Away episodes)", "Lâu nhất, phút (Longest away, min)",
                  "Tổng rời trang, phút (Away, min)", "Tương tác (Interactions)",
                  "Câu hỏi kiểm tra (Checks)", "Trả lời kịp (Answered in time)",
                  "Độ trễ TB, ms (Mean latency, ms)", "Điểm (Score)",
                  "Tính là có tham gia (Counts as attended)", "Lý do (Reason)")
TIMELINE_HEADERS = ("Phút (Minute)", "Thời điểm (At)", "Có mặt (Present)",
                    "Tỉ lệ chú ý (Attentive share)")
DROP_HEADERS = ("Phút (Minute)", "Thời điểm (At)", "Tỉ lệ chú ý (Attentive share)",
                "Trước đó (Before)", "Có mặt (Present)")
CLASS_PERIOD_HEADERS = ("Tiết học (Period)", "Bắt đầu (Started)", "Kết thúc (Ended)",
                        "Có mặt (Present)", "Đã tương tác (Interacted)",
                        "Độ bao phủ (Coverage)", "Tỉ lệ chú ý (Attentive share)")
CLASS_TRAINEE_HEADERS = ("Họ và tên (Full name)", "Tên đăng nhập (Login)",
                         "Số tiết (Periods)", "Số tiết được tính (Attended)",
                         "Có mặt, phút (Present, min)", "Chú ý, phút (Attentive, min)",
                         "Tỉ lệ chú ý (Attentive share)", "Tương tác (Interactions)",
                         "Số lần rời trang (Away episodes)", "Điểm TB (Mean score)")


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _yes(value: bool, locale: str) -> str:
    if locale == "en":
        return "yes" if value else "no"
    return "có" if value else "không"


def period_sheets(report: dict[str, Any], locale: str = "vi") -> list[Sheet]:
    trainees = [
        (t["full_name"], t["login"], _minutes(t["present_seconds"]),
         _minutes(t["attentive_seconds"]), t["attentive_share"], t["away_count"],
         _minutes(t["away_longest_seconds"]), _minutes(t["away_total_seconds"]),
         t["interactions"], t["checks_sent"], t["checks_answered"],
         t["checks_mean_latency_ms"], t["score"], _yes(t["attended"], locale),
         t["reason_en"] if locale == "en" else t["reason"])
        for t in report["trainees"]]
    timeline = [(p["minute"] + 1, p["at"], p["present"], p["attentive_share"])
                for p in report["timeline"]]
    drops = [(d["minute"] + 1, d["at"], d["attentive_share"], d["before"], d["present"])
             for d in report["drops"]]
    return [Sheet("Học viên", PERIOD_HEADERS, trainees),
            Sheet("Diễn biến theo phút", TIMELINE_HEADERS, timeline),
            Sheet("Lúc giảm chú ý", DROP_HEADERS, drops)]


def class_sheets(report: dict[str, Any]) -> list[Sheet]:
    periods = [(p["title"], p["started_at"], p["ended_at"], p["present"], p["interacted"],
                p["coverage"], p["attentive_share"]) for p in report["periods"]]
    trainees = [(t["full_name"], t["login"], t["periods"], t["attended"],
                 _minutes(t["present_seconds"]), _minutes(t["attentive_seconds"]),
                 t["attentive_share"], t["interactions"], t["away_count"], t["mean_score"])
                for t in report["trainees"]]
    return [Sheet("Học viên", CLASS_TRAINEE_HEADERS, trainees),
            Sheet("Các tiết học", CLASS_PERIOD_HEADERS, periods)]
