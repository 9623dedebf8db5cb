"""JSON endpoints of certificates: mine (or, for admins, a person's or a class's), the printable
PDF, issuing a class's missing ones, revoking one. The public verification page is in
``pages/certificates.py``."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.downloads import attachment
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem, request_locale

from lms_assessment import certificates, plans
from lms_assessment.models import Certificate
from lms_assessment.schemas import CertificateQuery, RevokeBody

PREFIX = "/api/v1/assessment"
TAGS = ("assessment",)


def _base(request: Request) -> str:
    return str(request.base_url)


async def readable(principal: Principal, certificate_id: int) -> Certificate:
    """The holder's own, or any of the institution's for admins; nothing of another
    institution (404 either way, so ids reveal nothing)."""
    certificate = await Certificate.get_or_none(id=certificate_id,
                                                institution_id=principal.institution_id)
    if certificate is None or (certificate.user_id != principal.user_id
                               and not principal.can("assessment.manage")):
        raise Problem(404, "Không tìm thấy chứng nhận.", "Certificate not found.")
    return certificate


@api("GET", permission=None, query=CertificateQuery, tags=TAGS,
     summary="Certificates: mine; a person's or a class's for administrators")
async def list_certificates(request: Request, principal: Principal, query: CertificateQuery):
    qs = Certificate.filter(institution_id=principal.institution_id)
    if query.user_id is None and query.class_id is None:
        qs = qs.filter(user_id=principal.user_id)
    elif not principal.can("assessment.manage"):
        if query.class_id is not None or query.user_id != principal.user_id:
            raise Problem(403, extra_permission="assessment.manage")
        qs = qs.filter(user_id=principal.user_id)
    else:
        if query.user_id is not None:
            qs = qs.filter(user_id=query.user_id)
        if query.class_id is not None:
            qs = qs.filter(klass_id=query.class_id)
    rows = await qs.order_by("-completed_on", "-id").limit(1000)
    return {"items": [certificates.as_dict(c, _base(request)) for c in rows]}


@api("GET", permission=None, tags=TAGS, summary="One certificate",
     responses={404: "Not found"})
async def get_certificate(request: Request, principal: Principal):
    certificate = await readable(principal, path_int(request, "certificate_id"))
    return certificates.as_dict(certificate, _base(request))


@api("GET", permission=None, tags=TAGS, summary="The certificate as a printable PDF",
     responses={404: "Not found"})
async def certificate_pdf(request: Request, principal: Principal):
    certificate = await readable(principal, path_int(request, "certificate_id"))
    data = await asyncio.to_thread(certificates.to_pdf, certificate, _base(request),
                                   request_locale(request) == "en")
    return attachment(data, f"chung-nhan-{certificate.number}.pdf")


@api("POST", permission="assessment.manage", tags=TAGS,
     summary="Issue the missing certificates of a class's completed trainees",
     responses={409: "The institution does not issue certificates"})
async def issue_class(request: Request, principal: Principal):
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"), manage=True)
    issued, existing = await certificates.issue_for_class(klass, request.app.state.lms.plugins)
    return {"class_id": klass.id, "issued": issued, "already_issued": existing}


@api("POST", permission="assessment.manage", body=RevokeBody, tags=TAGS,
     summary="Revoke a certificate (it then verifies as revoked)",
     responses={404: "Not found", 409: "Already revoked"})
async def revoke(request: Request, principal: Principal, body: RevokeBody):
    certificate = await readable(principal, path_int(request, "certificate_id"))
    certificate = await certificates.revoke(certificate, principal.user_id, body.reason)
    return certificates.as_dict(certificate, _base(request))


def routes() -> list[BaseRoute]:
    def r(path: str, endpoint: Any) -> Route:
        return Route(PREFIX + path, endpoint, methods=[endpoint.__lms_api__.method],
                     name=f"api.assessment_{endpoint.__name__}")

    return [r("/certificates", list_certificates),
            r("/certificates/{certificate_id:int}", get_certificate),
            r("/certificates/{certificate_id:int}.pdf", certificate_pdf),
            r("/certificates/{certificate_id:int}/revoke", revoke),
            r("/classes/{class_id:int}/certificates", issue_class)]
