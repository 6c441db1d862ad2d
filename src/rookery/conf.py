"""Reading Rookery's configuration from the environment.

Every setting Rookery reads is declared once in ``SETTINGS`` below, with its type, default and a
line of documentation; ``docs/configuration.md`` documents each of them and a test keeps the two
in step. Settings code asks ``env_*`` helpers for values so the declaration is the only list.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment describes an unsafe or impossible configuration."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("ROOKERY_ENV", "development", "`development` or `production`."),
        Setting(
            "DEBUG", "", "Force Django's debug mode on or off (defaults to on in development)."
        ),
        Setting("SECRET_KEY", "", "Signing key; generated and kept in the data dir when unset."),
        Setting("ROOKERY_DATA_DIR", "var", "Directory for the SQLite files, uploads and key."),
        Setting("DATABASE_URL", "", "Database URL; SQLite in the data dir when unset."),
        Setting("REDIS_URL", "", "Redis URL for cache, task broker and timeline cache."),
        Setting("ALLOWED_HOSTS", "127.0.0.1,localhost", "Comma-separated host names served."),
        Setting("CSRF_TRUSTED_ORIGINS", "", "Comma-separated origins allowed to POST forms."),
        Setting("ROOKERY_SITE_URL", "http://127.0.0.1:8000", "Public base URL of this instance."),
        Setting("ROOKERY_INSTANCE_NAME", "Rookery", "Instance title shown in the UI and API."),
        Setting("ROOKERY_SIGNUP_MODE", "open", "`open`, `invite` (invite links) or `closed`."),
        Setting("ROOKERY_POST_MAX_CHARS", "500", "Maximum characters in a post."),
        Setting(
            "ROOKERY_FANOUT_THRESHOLD", "10000", "Authors with more followers are merged at read."
        ),
        Setting("ROOKERY_FANOUT_BATCH", "1000", "Timeline rows written per fan-out batch."),
        Setting(
            "ROOKERY_FANOUT_RESUME_AFTER", "120", "Seconds before a stalled fan-out is resumed."
        ),
        Setting("ROOKERY_TRACTION_RETENTION_DAYS", "90", "Days raw analytics events are kept."),
        Setting("ROOKERY_FEED_POLL_INTERVAL", "1800", "Seconds between checks of a blog feed."),
        Setting("ROOKERY_FEED_MAX_INTERVAL", "86400", "Longest back-off after feed errors, s."),
        Setting("ROOKERY_FEED_MAX_FAILURES", "5", "Failed checks in a row before a feed pauses."),
        Setting("ROOKERY_FEED_POLL_WORKERS", "8", "Feeds fetched at once by one poll task."),
        Setting("ROOKERY_SUGGESTIONS_GRAPH_TTL", "30", "Seconds between merges of new follows."),
        Setting("ROOKERY_SUGGESTIONS_GRAPH_REBUILD", "900", "Seconds between full graph rebuilds."),
        Setting("ROOKERY_TASKS_IMMEDIATE", "", "Run background tasks inline (tests)."),
        Setting("ROOKERY_OUTBOUND_ALLOW_PRIVATE", "false", "Let outbound HTTP reach private IPs."),
        Setting("ROOKERY_OUTBOUND_TIMEOUT", "10", "Outbound HTTP deadline in seconds."),
        Setting("ROOKERY_OUTBOUND_MAX_BYTES", "5000000", "Outbound HTTP response size cap."),
        Setting("ROOKERY_AVATAR_MAX_BYTES", "4000000", "Largest accepted avatar upload."),
        Setting("ROOKERY_MEDIA_MAX_BYTES", "10000000", "Largest accepted media upload."),
        Setting("ROOKERY_LOGIN_RATE", "10/300", "Login attempts allowed per IP: count/seconds."),
        Setting("ROOKERY_POST_RATE", "30/300", "Posts allowed per user: count/seconds."),
        Setting("ROOKERY_API_RATE", "300/300", "API requests allowed per token: count/seconds."),
        Setting("EMAIL_BACKEND", "", "Django email backend (console in development, SMTP else)."),
        Setting("EMAIL_HOST", "localhost", "SMTP host."),
        Setting("EMAIL_PORT", "25", "SMTP port."),
        Setting("EMAIL_HOST_USER", "", "SMTP user."),
        Setting("EMAIL_HOST_PASSWORD", "", "SMTP password."),
        Setting("EMAIL_USE_TLS", "false", "Use STARTTLS for SMTP."),
        Setting("DEFAULT_FROM_EMAIL", "rookery@localhost", "From address of outgoing mail."),
        Setting("LOG_LEVEL", "INFO", "Log level of Rookery's loggers."),
    ]
}


def env_str(name: str) -> str:
    setting = SETTINGS[name]
    return os.environ.get(name, setting.default)


def env_bool(name: str) -> bool:
    value = env_str(name).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


def env_int(name: str) -> int:
    value = env_str(name)
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name).split(",") if item.strip()]


def env_rate(name: str) -> tuple[int, int]:
    """Parse ``count/seconds``."""
    value = env_str(name)
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        raise ConfigurationError(f"{name} must look like 10/300, not {value!r}") from None
    return count, seconds


# Shipped in no file and printed nowhere; kept only to refuse it in production.
INSECURE_KEY_PREFIX = "django-insecure"


def secret_key(*, data_dir: Path, production: bool) -> str:
    """The configured key; in development a generated one kept in the data dir.

    Production refuses to start without a real key so that sessions and signed links are never
    signed with a value an attacker could guess.
    """
    key = env_str("SECRET_KEY")
    if production:
        if not key or key.startswith(INSECURE_KEY_PREFIX) or len(key) < 32:
            raise ConfigurationError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        return key
    if key:
        return key
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
