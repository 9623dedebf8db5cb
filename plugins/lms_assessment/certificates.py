"""Certificates of completed training, where the institution issues them.

The issue is explicit that "no certificate is required to count the evidence": completion
becomes evidence whatever this module does (``course_evidence``); a certificate is the
printable, verifiable record for the trainee and their agency. An institution switches them on
with the setting ``assessment.certificates``; then a completed enrolment gets exactly one
certificate (unique per enrolment: the two completion events both calling ``issue`` make one),
and an admin can issue the missing ones of a class after switching the setting on late.

Anyone holding the printed certificate can check it at its verification URL (the QR code on
it): the page shows only what the certificate itself shows, and says plainly when it was
revoked. The code in the URL is 96 random bits, so certificates cannot be enumerated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Enrolment, Institution, User
from lms_core.models.enrolments import EnrolmentStatus
from lms_core.pdf import Document

from lms_assessment import frameworks
from lms_assessment.models import Certificate, Competency
from lms_assessment.needs import course_levels

SETTING = "assessment.certificates"
VERIFY_PATH = "/certificates/verify/"


def verify_url(base_url: str, certificate: Certificate) -> str:
    return f"{base_url.rstrip('/')}{VERIFY_PATH}{certificate.code}"


async def issues_certificates(plugins: Any, institution_id: int) -> bool:
    from lms_assessment.settings_read import setting

    return (await setting(plugins, institution_id, SETTING)) is True


async def _competencies(course: Course) -> list[dict[str, Any]]:
    resolve = await frameworks.resolve_codes(course.institution_id)
    levels = course_levels(course.competencies, resolve)
    if not levels:
        return []
    names = {c.id: c for c in await Competency.filter(id__in=list(levels))}
    return [{"code": names[cid].code, "name": names[cid].name, "level": level}
            for cid, level in sorted(levels.items(), key=lambda kv: names[kv[0]].code)
            if cid in names]


@dataclass(frozen=True)
class _Issuer:
    """What every certificate of one class says besides its holder, read once per class."""

    klass: CourseClass
    course: Course
    institution_name: str
    competencies: list[dict[str, Any]]

    @classmethod
    async def of(cls, klass: CourseClass) -> "_Issuer":
        course = await Course.get(id=klass.course_id)
        institution = await Institution.get(id=klass.institution_id)
        return cls(klass, course, institution.name, await _competencies(course))

    async def issue(self, enrolment: Enrolment, holder_name: str) -> Certificate:
        klass, course = self.klass, self.course
        completed = enrolment.completed_at or clock.now()
        now = clock.now()
        try:
            async with in_transaction():
                certificate = await Certificate.create(
                    institution_id=klass.institution_id, user_id=enrolment.user_id,
                    course_id=course.id, klass_id=klass.id, enrolment_id=enrolment.id,
                    code=secrets.token_urlsafe(12), number="", holder_name=holder_name,
                    course_title=course.title, course_title_en=course.title_en,
                    class_code=klass.code, institution_name=self.institution_name,
                    duration_hours=course.duration_hours, competencies=self.competencies,
                    completed_on=completed.date(), issued_at=now)
                # A number people can read out on the phone: year and a per-database sequence.
                certificate.number = f"CN-{now.year}-{certificate.id:06d}"
                await certificate.save(update_fields=["number"])
        except IntegrityError:
            # The other completion event issued it a moment ago: one certificate per enrolment.
            return await Certificate.get(enrolment_id=enrolment.id)
        return certificate


async def issue(enrolment: Enrolment, plugins: Any) -> Certificate | None:
    """The enrolment's certificate: the existing one, a new one when the enrolment is completed
    and the institution issues certificates, else None."""
    existing = await Certificate.get_or_none(enrolment_id=enrolment.id)
    if existing is not None:
        return existing
    if enrolment.status != EnrolmentStatus.COMPLETED:
        return None
    klass = await CourseClass.get(id=enrolment.klass_id)
    if not await issues_certificates(plugins, klass.institution_id):
        return None
    user = await User.get(id=enrolment.user_id)
    return await (await _Issuer.of(klass)).issue(enrolment, user.full_name)


async def issue_for_class(klass: CourseClass, plugins: Any) -> tuple[int, int]:
    """(issued now, already issued) over the class's completed enrolments: what the class's
    certificates share is read once, the holders' names in one query."""
    if not await issues_certificates(plugins, klass.institution_id):
        raise Problem(409, "Đơn vị chưa bật cấp chứng nhận (cài đặt assessment.certificates).",
                      "The institution does not issue certificates "
                      "(setting assessment.certificates).")
    done = set(await Certificate.filter(klass_id=klass.id).values_list("enrolment_id", flat=True))
    missing = [e for e in await Enrolment.filter(klass_id=klass.id,
                                                 status=EnrolmentStatus.COMPLETED).order_by("id")
               if e.id not in done]
    if missing:
        issuer = await _Issuer.of(klass)
        names = dict(await User.filter(id__in=[e.user_id for e in missing]).values_list(
            "id", "full_name"))
        for enrolment in missing:
            await issuer.issue(enrolment, names[enrolment.user_id])
    return len(missing), len(done)


async def revoke(certificate: Certificate, actor_id: int, reason: str) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise Problem(422, "Cần ghi lý do thu hồi chứng nhận.",
                      "Give the reason for revoking the certificate.")
    if certificate.revoked_at is not None:
        raise Problem(409, "Chứng nhận này đã bị thu hồi.", "This certificate is already revoked.")
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason[:2000]
    certificate.revoked_by_id = actor_id
    await certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by_id"])
    return certificate


def as_dict(certificate: Certificate, base_url: str) -> dict[str, Any]:
    return {"id": certificate.id, "number": certificate.number, "user_id": certificate.user_id,
            "holder_name": certificate.holder_name, "course_id": certificate.course_id,
            "course_title": certificate.course_title, "class_id": certificate.klass_id,
            "class_code": certificate.class_code, "institution_name": certificate.institution_name,
            "duration_hours": certificate.duration_hours,
            "competencies": certificate.competencies,
            "completed_on": certificate.completed_on.isoformat(),
            "issued_at": certificate.issued_at.isoformat(),
            "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
            "revoked_reason": certificate.revoked_reason or None,
            "verify_url": verify_url(base_url, certificate)}


def _date(day: date, en: bool) -> str:
    return day.strftime("%d %B %Y") if en else f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def to_pdf(certificate: Certificate, base_url: str, en: bool = False) -> bytes:
    """One landscape A4 page: who, what, when, by whom, and the QR code of the verification
    URL printed in full beside it (a photocopy must still verify)."""
    url = verify_url(base_url, certificate)
    title = "Certificate of completion" if en else "Giấy chứng nhận hoàn thành khoá bồi dưỡng"
    doc = Document(f"{title} {certificate.number}", landscape=True,
                   author=certificate.institution_name,
                   footer=f"{certificate.institution_name} · {certificate.number}")
    doc.set_draw_color(11, 92, 173)
    doc.set_line_width(1.2)
    doc.rect(8, 8, doc.w - 16, doc.h - 16)
    doc.set_line_width(0.3)
    doc.rect(10.5, 10.5, doc.w - 21, doc.h - 21)
    doc.set_font("DejaVu", "B", 13)
    doc.cell(0, 8, certificate.institution_name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(10)
    doc.set_font("DejaVu", "B", 26)
    doc.cell(0, 14, ("CERTIFICATE" if en else "GIẤY CHỨNG NHẬN"), align="C",
             new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 12)
    doc.cell(0, 8, ("This certifies that" if en else "Chứng nhận ông/bà"), align="C",
             new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "B", 20)
    doc.cell(0, 13, certificate.holder_name, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 12)
    doc.cell(0, 8, ("has completed the course" if en else "đã hoàn thành khoá bồi dưỡng"),
             align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "B", 15)
    course = (certificate.course_title_en or certificate.course_title) if en \
        else certificate.course_title
    doc.multi_cell(0, 9, course, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 11)
    facts = [(f"Class {certificate.class_code}" if en else f"Lớp {certificate.class_code}")]
    if certificate.duration_hours:
        facts.append(f"{certificate.duration_hours} " + ("hours" if en else "giờ"))
    facts.append(("completed " if en else "hoàn thành ") + _date(certificate.completed_on, en))
    doc.cell(0, 8, " · ".join(facts), align="C", new_x="LMARGIN", new_y="NEXT")
    if certificate.competencies:
        doc.ln(3)
        doc.set_font("DejaVu", "", 9)
        label = "Competencies developed: " if en else "Năng lực được bồi dưỡng: "
        doc.multi_cell(0, 5, label + "; ".join(
            f"{c['code']} {c['name']} ({'level' if en else 'mức'} {c['level']})"
            for c in certificate.competencies), align="C", new_x="LMARGIN", new_y="NEXT")
    top = doc.h - 62
    doc.qr(url, x=doc.l_margin, y=top, size=36)
    doc.set_xy(doc.l_margin + 40, top + 4)
    doc.set_font("DejaVu", "", 9)
    doc.multi_cell(120, 5, ("Number " if en else "Số ") + certificate.number + "\n"
                   + ("Verify at " if en else "Kiểm tra tại ") + url,
                   new_x="LMARGIN", new_y="NEXT")
    doc.set_xy(doc.w - doc.r_margin - 110, top + 4)
    doc.set_font("DejaVu", "", 11)
    doc.multi_cell(110, 6, ("Issued " if en else "Cấp ") + _date(certificate.issued_at.date(), en)
                   + "\n" + certificate.institution_name, align="C")
    if certificate.revoked_at is not None:
        doc.set_xy(doc.l_margin, 18)
        doc.set_text_color(180, 0, 0)
        doc.set_font("DejaVu", "B", 14)
        doc.cell(0, 8, "REVOKED" if en else "ĐÃ THU HỒI", align="R")
        doc.set_text_color(0)
    return doc.to_bytes()
