"""Login, logout, who-am-I, switching institution, and personal API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from starlette.requests import Request

from lms_core.api.schemas import LoginBody, PasswordChange, SwitchInstitution, TokenCreate
from lms_core.auth.csrf import ensure_token
from lms_core.auth.passwords import hash_password, needs_rehash, verify_password
from lms_core.auth.ratelimit import clear_failures, is_limited, record_failure
from lms_core.auth.tokens import forget, issue_token
from lms_core.http.endpoints import api
from lms_core.http.problems import Problem
from lms_core.models import ApiToken, User
from lms_core.runtime import runtime
from lms_core.services.users import set_password


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def authenticate(request: Request, login: str, password: str) -> User:
    """Check a password with rate limiting; raise a problem the user can act on."""
    lms = runtime(request)
    login = login.strip().lower()
    address = client_address(request)
    s = lms.settings
    if await is_limited(login, address, s.login_rate_limit, s.login_rate_window):
        raise Problem(429, "Đăng nhập sai quá nhiều lần. Hãy thử lại sau ít phút.",
                      "Too many failed logins. Try again in a few minutes.",
                      retry_after=s.login_rate_window)
    user = await User.get_or_none(login=login, is_active=True)
    if user is None or not verify_password(user.password_hash, password):
        await record_failure(login, address)
        raise Problem(401, "Sai tên đăng nhập hoặc mật khẩu.", "Wrong login or password.")
    await clear_failures(login)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


def start_session(request: Request, user: User) -> None:
    """A fresh session on login (no fixation): new CSRF token, the user's locale."""
    request.session.clear()
    request.session["uid"] = user.id
    request.session["epoch"] = user.session_epoch
    request.session["locale"] = user.locale or "vi"
    ensure_token(request.session)


@api("POST", permission=None, anonymous=True, body=LoginBody, summary="Log in (session cookie)",
     tags=("auth",), responses={401: "Wrong login or password", 429: "Too many attempts"})
async def login(request: Request, principal, body: LoginBody):
    user = await authenticate(request, body.login, body.password)
    start_session(request, user)
    return {"id": user.id, "login": user.login, "full_name": user.full_name,
            "csrf_token": request.session["csrf"]}


@api("POST", permission=None, summary="Log out", tags=("auth",))
async def logout(request: Request, principal):
    request.session.clear()
    return {"ok": True}


@api("GET", permission=None, summary="Who am I: user, institution, roles, permissions",
     tags=("auth",))
async def me(request: Request, principal):
    return {
        "id": principal.user_id, "login": principal.login, "full_name": principal.full_name,
        "locale": principal.locale, "institution_id": principal.institution_id,
        "institution_ids": list(principal.institution_ids), "roles": sorted(principal.roles),
        "permissions": sorted(principal.permissions),
        "csrf_token": request.session.get("csrf") if principal.via == "session" else None,
    }


@api("POST", permission=None, body=SwitchInstitution, summary="Act in another institution",
     tags=("auth",))
async def switch_institution(request: Request, principal, body: SwitchInstitution):
    if body.institution_id not in principal.institution_ids or principal.via != "session":
        raise Problem(403, "Bạn không thuộc đơn vị này.", "You have no role there.")
    request.session["inst"] = body.institution_id
    return {"institution_id": body.institution_id}


@api("POST", permission="tokens.own", body=TokenCreate, status=201,
     summary="Create a personal API token (shown once)", tags=("auth",))
async def create_token(request: Request, principal, body: TokenCreate):
    expires = datetime.now(timezone.utc) + timedelta(days=body.days) if body.days else None
    row, secret = await issue_token(principal.user_id, principal.institution_id, body.name,
                                    expires)
    return {"id": row.id, "name": row.name, "token": secret, "expires_at": expires}


@api("GET", permission="tokens.own", summary="List my API tokens", tags=("auth",))
async def list_tokens(request: Request, principal):
    return {"items": await ApiToken.filter(user_id=principal.user_id, revoked=False).values(
        "id", "name", "created_at", "last_used_at", "expires_at")}


@api("DELETE", permission="tokens.own", summary="Revoke one of my API tokens", tags=("auth",))
async def revoke_token(request: Request, principal):
    mine = ApiToken.filter(id=request.path_params["token_id"], user_id=principal.user_id)
    hashes = await mine.values_list("token_hash", flat=True)
    n = await mine.update(revoked=True)
    if not n:
        raise Problem(404)
    for token_hash in hashes:  # this worker stops trusting it at once (others within 10 s)
        forget(token_hash)
    return {"ok": True}



@api("POST", permission=None, body=PasswordChange, summary="Change my password",
     tags=("auth",), responses={401: "Current password wrong"})
async def change_password(request: Request, principal, body: PasswordChange):
    """Every other session of the user ends; this one is renewed."""
    user = await authenticate(request, principal.login, body.current_password)
    await set_password(user.id, body.new_password)
    runtime(request).principals.forget(user.id)
    start_session(request, await User.get(id=user.id))
    return {"ok": True, "csrf_token": request.session["csrf"]}
