"""Settings read from the environment, so one build runs unchanged from laptop to cluster."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _var_dir() -> Path:
    return Path(os.environ.get("LMS_VAR_DIR", PROJECT_ROOT / "var"))


def _load_or_create_secret(var_dir: Path) -> str:
    """Keep one generated key under var/ so sessions survive restarts without any set-up."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass
class Settings:
    database_url: str
    broker_url: str
    secret_key: str
    var_dir: Path
    content_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False
    default_locale: str = "vi"
    session_max_age: int = 14 * 24 * 3600
    https_only: bool = False
    login_rate_limit: int = 5  # failed attempts per window per (login, ip)
    login_rate_window: int = 300  # seconds
    disabled_plugins: list[str] = field(default_factory=list)
    cache_ttl: float = 30.0  # seconds a hot read stays cached at most; 0 turns the cache off
    broker_namespace: str = "lms"  # prefix of Redis channels: pub/sub ignores the db number
    jobs_url: str = "memory://"  # the job runner: in-process, or redis://... for several workers
    test_clock: bool = False  # end-to-end tests may move lms_core.clock (never in production)

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        var_dir = Path(str(overrides.pop("var_dir", None) or _var_dir()))
        env = os.environ
        db_default = f"sqlite://{var_dir / 'lms.sqlite3'}"
        values: dict[str, object] = dict(
            database_url=env.get("LMS_DATABASE_URL", db_default),
            broker_url=env.get("LMS_BROKER_URL", "memory://"),
            secret_key=env.get("LMS_SECRET_KEY") or _load_or_create_secret(var_dir),
            var_dir=var_dir,
            content_dir=Path(env.get("LMS_CONTENT_DIR", PROJECT_ROOT / "content")),
            host=env.get("LMS_HOST", "127.0.0.1"),
            port=int(env.get("LMS_PORT", "8000")),
            debug=env.get("LMS_DEBUG", "") in {"1", "true", "yes"},
            default_locale=env.get("LMS_DEFAULT_LOCALE", "vi"),
            https_only=env.get("LMS_HTTPS_ONLY", "") in {"1", "true", "yes"},
            disabled_plugins=[p for p in env.get("LMS_DISABLED_PLUGINS", "").split(",") if p],
            cache_ttl=float(env.get("LMS_CACHE_TTL", "30")),
            broker_namespace=env.get("LMS_BROKER_NAMESPACE", "lms"),
            jobs_url=env.get("LMS_JOBS_URL", "") or "memory://",
            test_clock=env.get("LMS_TEST_CLOCK", "") in {"1", "true", "yes"},
        )
        values.update(overrides)
        var_dir.mkdir(parents=True, exist_ok=True)
        return cls(**values)  # type: ignore[arg-type]
