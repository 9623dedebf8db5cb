"""Certificate pages: the public verification page a QR code opens (no login: an employer or a
records office checks a printed certificate), and the trainee's list of their own."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lms_core.auth.principal import Principal
from lms_core.plugin_api import MenuItem
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import certificates
from lms_assessment.models import Certificate


@page(anonymous=True)
async def verify_page(request: Request, principal: Principal | None) -> Response:
    code = request.path_params["code"]
    certificate = None
    if 8 <= len(code) <= 32 and code.replace("-", "").replace("_", "").isalnum():
        certificate = await Certificate.get_or_none(code=code)
    status = 200 if certificate is not None else 404
    response = await render(request, "assessment/certificate_verify.html", {
        "page": "certificate-verify", "certificate": certificate}, status_code=status)
    # The page is a fact about a document, not about the viewer: never cached by shared caches
    # (a revocation must show at once) and never indexed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@page()
async def my_certificates_page(request: Request, principal: Principal) -> Response:
    rows = await Certificate.filter(institution_id=principal.institution_id,
                                    user_id=principal.user_id).order_by("-completed_on", "-id")
    base = str(request.base_url)
    return await render(request, "assessment/certificates_mine.html", {
        "page": "certificates-mine",
        "certificates": [certificates.as_dict(c, base) for c in rows]})


ROUTES = [
    Route(certificates.VERIFY_PATH + "{code:str}", verify_page, name="assessment.certificate_verify"),
    Route("/certificates", my_certificates_page, name="assessment.certificates_mine"),
]

MENU = [MenuItem("certificates-mine", "Chứng nhận của tôi", "My certificates", "/certificates",
                 order=96, group="personal")]
