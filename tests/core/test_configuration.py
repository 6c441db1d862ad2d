from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rookery.conf import SETTINGS, ConfigurationError, secret_key

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "configuration.md").read_text()


def documented_names() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DOC, flags=re.MULTILINE))


def test_every_setting_is_documented():
    missing = set(SETTINGS) - documented_names()
    assert not missing, f"document these in docs/configuration.md: {sorted(missing)}"


def test_every_documented_setting_exists():
    unknown = documented_names() - set(SETTINGS)
    assert not unknown, f"docs/configuration.md documents unknown settings: {sorted(unknown)}"


def test_code_reads_no_undeclared_environment_variable():
    source = "\n".join(p.read_text() for p in (ROOT / "src" / "rookery").rglob("*.py"))
    read = set(re.findall(r"env_(?:str|bool|int|list|rate)\(\"([A-Z0-9_]+)\"\)", source))
    assert read, "the settings module should read the environment through rookery.conf"
    assert read <= set(SETTINGS)


def test_production_refuses_missing_or_weak_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        secret_key(data_dir=tmp_path, production=True)
    monkeypatch.setenv("SECRET_KEY", "django-insecure-" + "x" * 40)
    with pytest.raises(ConfigurationError):
        secret_key(data_dir=tmp_path, production=True)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigurationError):
        secret_key(data_dir=tmp_path, production=True)


def test_development_generates_a_key_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(data_dir=tmp_path, production=False)
    assert len(first) >= 50
    assert secret_key(data_dir=tmp_path, production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_process_will_not_start_without_a_key(tmp_path):
    env = {"ROOKERY_ENV": "production", "ROOKERY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import rookery.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_values_get_a_clear_message(tmp_path):
    env = {
        "ROOKERY_POST_MAX_CHARS": "lots",
        "ROOKERY_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import rookery.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ROOKERY_POST_MAX_CHARS must be a whole number" in result.stderr
