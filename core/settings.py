"""Deployment settings, built once from ``GONGZHI_*`` environment variables and passed around.

Nothing reads the environment at import time: ``Settings.from_env(os.environ)`` is called by the app
factory and the CLI, and tests build their own ``Settings``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(Exception):
    """A deployment setting is missing or malformed; the process must not start."""


class Secret:
    """A string whose repr never shows its value (logs, tracebacks)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    @property
    def value(self) -> str:
        return self._value


# name of the env var -> (field, parser, help); the README's configuration table is tested against this.
ENV_VARS: dict[str, str] = {
    "GONGZHI_DATABASE_URL": "SQLAlchemy URL; default sqlite:///var/gongzhi.sqlite3",
    "GONGZHI_SECRET_KEY": "signs login cookies and CSRF tokens; required when GONGZHI_PRODUCTION=1",
    "GONGZHI_PRODUCTION": "1 for production: no generated secret, no demo data",
    "GONGZHI_VAR_DIR": "folder for the SQLite file, the generated secret, uploads and the index; default var",
    "GONGZHI_INDEX_DIR": "search index folder; default <var>/index",
    "GONGZHI_UPLOAD_DIR": "uploaded files; default <var>/uploads",
    "GONGZHI_SECURE_COOKIES": "1 behind HTTPS: cookies get the Secure flag",
    "GONGZHI_THREADS": "endpoint thread pool size and connection pool size per process; default 8",
    "GONGZHI_ARGON2_TIME_COST": "argon2id passes; default 3 (RFC 9106 low-memory profile)",
    "GONGZHI_ARGON2_MEMORY_KIB": "argon2id memory per hash in KiB; default 65536",
    "GONGZHI_ARGON2_PARALLELISM": "argon2id lanes; default 4",
    "GONGZHI_HASH_CONCURRENCY": "password hashes running at once per process; default 2",
    "GONGZHI_HASH_WAIT_SECONDS": "how long a login waits for a hashing slot before 503; default 2",
    "GONGZHI_MAX_BODY_BYTES": "largest form body; default 1048576",
    "GONGZHI_MAX_UPLOAD_BYTES": "largest upload body; default 10485760",
    "GONGZHI_LOG_LEVEL": "Python log level; default INFO",
    "GONGZHI_FORWARDED_ALLOW_IPS": "reverse proxies whose X-Forwarded-For is believed; default 127.0.0.1",
    "GONGZHI_WORKER": "0 stops `serve` from running its in-process job worker thread; default 1",
    "GONGZHI_WORKER_POLL_SECONDS": "how often an idle SQLite worker looks for jobs; default 1",
    "GONGZHI_BASE_URL": "the site's public address, for links in e-mails; e.g. https://gongzhi.example.cn",
    "GONGZHI_SMTP_HOST": "SMTP server for e-mail notifications; unset: e-mails are only logged",
    "GONGZHI_SMTP_PORT": "default 587",
    "GONGZHI_SMTP_FROM": "sender address of e-mail notifications",
    "GONGZHI_SMTP_USER": "SMTP login, if the server wants one",
    "GONGZHI_SMTP_PASSWORD": "SMTP password",
    "GONGZHI_SMTP_STARTTLS": "0 to talk to the SMTP server without STARTTLS; default 1",
    "GONGZHI_CASE_ENDPOINT": "the city's Open311 GeoReport v2 base URL; set: new public cases are sent there",
    "GONGZHI_CASE_API_KEY": "the API key the city system gave us for its Open311 endpoint",
    "GONGZHI_CASE_TIMEOUT": "seconds each request to the city system may take; default 10, at most 30",
}


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about where it runs. Frozen: build a new one to change it."""

    database_url: str
    secret_key: Secret
    var_dir: Path
    index_dir: Path
    upload_dir: Path
    production: bool = False
    secure_cookies: bool = False
    threads: int = 8
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    hash_concurrency: int = 2
    hash_wait_seconds: float = 2.0
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 10_485_760
    log_level: str = "INFO"
    base_url: str = ""
    in_process_worker: bool = True
    # the proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, or *)
    forwarded_allow_ips: str = "127.0.0.1"
    worker_poll_seconds: float = 1.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_from: str = "gongzhi@localhost"
    smtp_user: str = ""
    smtp_password: Secret = field(default_factory=lambda: Secret(""))
    smtp_starttls: bool = True
    case_endpoint: str = ""
    case_api_key: Secret = field(default_factory=lambda: Secret(""))
    case_timeout: float = 10.0
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use it)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``GONGZHI_*`` variables; raise ``SettingsError`` on a bad value."""
        env = os.environ if env is None else env
        production = _bool(env.get("GONGZHI_PRODUCTION", ""))
        var_dir = Path(env.get("GONGZHI_VAR_DIR", "var")).absolute()
        secret = env.get("GONGZHI_SECRET_KEY", "")
        if not secret:
            if production:
                raise SettingsError("GONGZHI_SECRET_KEY must be set when GONGZHI_PRODUCTION=1")
            secret = development_secret(var_dir)
        elif len(secret) < 32:
            raise SettingsError("GONGZHI_SECRET_KEY must be at least 32 characters")
        try:
            return cls(
                database_url=env.get("GONGZHI_DATABASE_URL") or f"sqlite:///{var_dir / 'gongzhi.sqlite3'}",
                secret_key=Secret(secret),
                var_dir=var_dir,
                index_dir=Path(env.get("GONGZHI_INDEX_DIR") or var_dir / "index").absolute(),
                upload_dir=Path(env.get("GONGZHI_UPLOAD_DIR") or var_dir / "uploads").absolute(),
                production=production,
                secure_cookies=_bool(env.get("GONGZHI_SECURE_COOKIES", "")),
                threads=_positive_int(env, "GONGZHI_THREADS", 8),
                argon2_time_cost=_positive_int(env, "GONGZHI_ARGON2_TIME_COST", 3),
                argon2_memory_kib=_positive_int(env, "GONGZHI_ARGON2_MEMORY_KIB", 65536),
                argon2_parallelism=_positive_int(env, "GONGZHI_ARGON2_PARALLELISM", 4),
                hash_concurrency=_positive_int(env, "GONGZHI_HASH_CONCURRENCY", 2),
                hash_wait_seconds=float(env.get("GONGZHI_HASH_WAIT_SECONDS", "2")),
                max_body_bytes=_positive_int(env, "GONGZHI_MAX_BODY_BYTES", 1_048_576),
                max_upload_bytes=_positive_int(env, "GONGZHI_MAX_UPLOAD_BYTES", 10_485_760),
                log_level=env.get("GONGZHI_LOG_LEVEL", "INFO").upper(),
                base_url=env.get("GONGZHI_BASE_URL", "").rstrip("/"),
                in_process_worker=env.get("GONGZHI_WORKER", "1") != "0",
                forwarded_allow_ips=env.get("GONGZHI_FORWARDED_ALLOW_IPS", "127.0.0.1").strip()
                or "127.0.0.1",
                worker_poll_seconds=float(env.get("GONGZHI_WORKER_POLL_SECONDS", "1")),
                smtp_host=env.get("GONGZHI_SMTP_HOST", ""),
                smtp_port=_positive_int(env, "GONGZHI_SMTP_PORT", 587),
                smtp_from=env.get("GONGZHI_SMTP_FROM", "gongzhi@localhost"),
                smtp_user=env.get("GONGZHI_SMTP_USER", ""),
                smtp_password=Secret(env.get("GONGZHI_SMTP_PASSWORD", "")),
                smtp_starttls=env.get("GONGZHI_SMTP_STARTTLS", "1") != "0",
                case_endpoint=_http_url(env, "GONGZHI_CASE_ENDPOINT"),
                case_api_key=Secret(env.get("GONGZHI_CASE_API_KEY", "")),
                case_timeout=max(1.0, min(30.0, float(env.get("GONGZHI_CASE_TIMEOUT") or "10"))),
                extra={k: v for k, v in env.items() if k.startswith("GONGZHI_") and k not in ENV_VARS},
            )
        except ValueError as error:
            raise SettingsError(str(error)) from error


def _http_url(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip().rstrip("/")
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be at least 1")
    return value


def development_secret(var_dir: Path) -> str:
    """The development secret kept in ``var/secret_key``, generated on first use (never in production)."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once agree on whichever secret was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


SETTING_FIELDS = tuple(f.name for f in fields(Settings))
