"""Certificates: issued on completion only where the institution issues them (the evidence
counts either way), one per enrolment, a printable PDF with the verification URL, the public
verification page (valid, revoked, unknown), and who may see and revoke them."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from lms_core.models import Course, Enrolment, User
from lms_core.services.settings import set_setting

from lms_assessment.models import Certificate, Evidence

from .test_assessment_frameworks import _import


def _anonymous(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _complete(admin, world, login="trainee_a"):
    enrolment = await Enrolment.get(user_id=world.users[login], klass_id=world.classes["a"])
    r = await admin.patch(f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"})
    assert r.status_code == 200, r.text
    return enrolment


async def _setup(app, client_for, world, issue: bool = True):
    await _import(await client_for("planner_a"), code="KNL-A")
    await Course.filter(id=world.courses["a"]).update(
        competencies=[{"code": "NL-CDS-01", "name": "…", "level": 3}], duration_hours=40,
        title="Kỹ năng số cho công chức một cửa")
    await User.filter(id=world.users["trainee_a"]).update(full_name="Nguyễn Thị Ánh Tuyết")
    if issue:
        await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.certificates", True)
    return await client_for("admin_a")


async def test_no_certificate_unless_the_institution_issues_them_but_evidence_counts(
        app, client_for, world):
    admin = await _setup(app, client_for, world, issue=False)
    await _complete(admin, world)
    assert await Certificate.all().count() == 0
    assert await Evidence.filter(user_id=world.users["trainee_a"], source="course").count() == 1
    r = await admin.post(f"/api/v1/assessment/classes/{world.classes['a']}/certificates")
    assert r.status_code == 409 and "assessment.certificates" in r.json()["detail"]


async def test_completion_issues_one_certificate_with_a_pdf_and_a_verification_page(
        app, client_for, world):
    admin = await _setup(app, client_for, world)
    enrolment = await _complete(admin, world)
    # both completion events fired (status change and course completed): still one
    certificates = await Certificate.filter(enrolment_id=enrolment.id)
    assert len(certificates) == 1
    cert = certificates[0]
    assert cert.holder_name == "Nguyễn Thị Ánh Tuyết" and cert.number.startswith("CN-")
    assert cert.competencies == [{"code": "NL-CDS-01", "name": cert.competencies[0]["name"],
                                  "level": 3}]
    trainee = await client_for("trainee_a")
    mine = (await trainee.get("/api/v1/assessment/certificates")).json()["items"]
    assert [c["id"] for c in mine] == [cert.id]
    assert mine[0]["verify_url"].endswith(f"/certificates/verify/{cert.code}")

    r = await trainee.get(f"/api/v1/assessment/certificates/{cert.id}.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = reader.pages[0].extract_text()
    assert "Nguyễn Thị Ánh Tuyết" in text and "Kỹ năng số cho công chức một cửa" in text
    assert cert.code in text.replace("\n", "") and len(reader.pages[0].images) == 1  # URL + QR
    assert "40 giờ" in text

    # the renamed person keeps the certificate as printed
    await User.filter(id=world.users["trainee_a"]).update(full_name="Nguyễn Thị Tuyết")
    anonymous = _anonymous(app)
    page = await anonymous.get(f"/certificates/verify/{cert.code}")
    assert page.status_code == 200
    assert "Chứng nhận hợp lệ" in page.text and "Nguyễn Thị Ánh Tuyết" in page.text
    assert page.headers["cache-control"] == "no-store"

    # the trainee's page lists it
    listing = await trainee.get("/certificates")
    assert listing.status_code == 200 and cert.number in listing.text


async def test_revoked_certificates_verify_as_revoked_and_unknown_codes_are_404(
        app, client_for, world):
    admin = await _setup(app, client_for, world)
    await _complete(admin, world)
    cert = await Certificate.get(user_id=world.users["trainee_a"])
    trainee = await client_for("trainee_a")
    assert (await trainee.post(f"/api/v1/assessment/certificates/{cert.id}/revoke",
                               json={"reason": "x"})).status_code == 403
    assert (await admin.post(f"/api/v1/assessment/certificates/{cert.id}/revoke",
                             json={"reason": ""})).status_code == 422
    r = await admin.post(f"/api/v1/assessment/certificates/{cert.id}/revoke",
                         json={"reason": "Cấp nhầm lớp"})
    assert r.status_code == 200 and r.json()["revoked_reason"] == "Cấp nhầm lớp"
    assert (await admin.post(f"/api/v1/assessment/certificates/{cert.id}/revoke",
                             json={"reason": "lần nữa"})).status_code == 409
    anonymous = _anonymous(app)
    page = await anonymous.get(f"/certificates/verify/{cert.code}")
    assert page.status_code == 200 and "đã bị thu hồi" in page.text and "Cấp nhầm lớp" in page.text
    pdf = PdfReader(io.BytesIO((await trainee.get(
        f"/api/v1/assessment/certificates/{cert.id}.pdf")).content))
    assert "ĐÃ THU HỒI" in pdf.pages[0].extract_text()
    for code in ("khongcoma12345", "x" * 40, "%E1%BB%85" * 4):
        missing = await anonymous.get(f"/certificates/verify/{code}")
        assert missing.status_code == 404 and "Không tìm thấy chứng nhận" in missing.text
    assert (await anonymous.get("/certificates/verify/a%2F..%2Fb")).status_code == 404


async def test_others_never_see_a_certificate_and_admins_backfill_a_class(
        app, client_for, world):
    admin = await _setup(app, client_for, world, issue=False)
    await _complete(admin, world)
    await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.certificates", True)
    r = await admin.post(f"/api/v1/assessment/classes/{world.classes['a']}/certificates")
    assert r.json() == {"class_id": world.classes["a"], "issued": 1, "already_issued": 0}
    r = await admin.post(f"/api/v1/assessment/classes/{world.classes['a']}/certificates")
    assert (r.json()["issued"], r.json()["already_issued"]) == (0, 1)
    cert = await Certificate.get(user_id=world.users["trainee_a"])
    # another trainee, a lecturer, another institution's admin: not found
    for login in ("trainee2_a", "lecturer_a", "admin_b"):
        other = await client_for(login)
        assert (await other.get(f"/api/v1/assessment/certificates/{cert.id}")).status_code == 404
        assert (await other.get(
            f"/api/v1/assessment/certificates/{cert.id}.pdf")).status_code == 404
    other = await client_for("trainee2_a")
    assert (await other.get("/api/v1/assessment/certificates",
                            params={"class_id": world.classes["a"]})).status_code == 403
    listed = (await admin.get("/api/v1/assessment/certificates",
                              params={"class_id": world.classes["a"]})).json()["items"]
    assert [c["id"] for c in listed] == [cert.id]
    admin_b = await client_for("admin_b")
    assert (await admin_b.get("/api/v1/assessment/certificates",
                              params={"class_id": world.classes["a"]})).json()["items"] == []
    assert (await admin_b.post(
        f"/api/v1/assessment/classes/{world.classes['a']}/certificates")).status_code == 404
