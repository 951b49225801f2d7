"""The agent's configuration file (``minecheck.toml``) so a lab can be deployed with one file.

Looked up, first found wins: ``--config FILE``; ``minecheck.toml`` beside the executable;
in the agent home folder (``MINECHECK_HOME`` or the system folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.i18n import _
from agent.paths import home_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_NAME = "minecheck.toml"


class ConfigError(Exception):
    """The configuration file cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerConfig(_Section):
    url: str | None = Field(
        None, description="Collector address, e.g. https://minecheck.edu.example"
    )
    enrollment_token: str | None = None
    verify_tls: bool = True
    ca_bundle: str | None = Field(None, description="PEM file of a private CA")
    proxy: str | None = Field(None, description="HTTP(S) proxy; default: from the environment")
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip().rstrip("/")
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v


class LedgerConfig(_Section):
    location: str | None = None
    department: str | None = None
    owner: str | None = None
    phone: str | None = None
    asset_tag: str | None = None


class SpoolConfig(_Section):
    max_reports: int = Field(200, ge=1)
    max_bytes: int = Field(50 * 1024 * 1024, ge=1024)


class ScheduleConfig(_Section):
    interval_minutes: float = Field(1440, gt=0)
    splay_minutes: float = Field(30, ge=0)
    sample_seconds: float = Field(30, ge=0)
    deep: bool = False


class AgentConfig(_Section):
    server: ServerConfig = Field(default_factory=ServerConfig)
    ledger: LedgerConfig = Field(default_factory=LedgerConfig)
    spool: SpoolConfig = Field(default_factory=SpoolConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    source: str | None = Field(None, exclude=True, description="File it was read from")


def candidate_paths(explicit: Path | None = None) -> list[Path]:
    if explicit is not None:
        return [explicit]
    paths = []
    if getattr(sys, "frozen", False):
        paths.append(Path(sys.executable).resolve().parent / CONFIG_NAME)
    paths.append(home_dir() / CONFIG_NAME)
    return paths


def load_config(explicit: Path | None = None) -> AgentConfig:
    """Read the first config file found; defaults when there is none."""
    for path in candidate_paths(explicit):
        if path.is_file():
            return parse_config(path)
        if explicit is not None:
            raise ConfigError(_("{path}: file not found").format(path=path))
    return AgentConfig()


def parse_config(path: Path) -> AgentConfig:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            _("{path}: cannot read ({error})").format(path=path, error=exc.strerror or exc)
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(_("{path}: not UTF-8 text").format(path=path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path}: not valid TOML: {error}").format(path=path, error=exc)
        ) from exc
    try:
        config = AgentConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            _("{path}: invalid settings: {problems}").format(path=path, problems=problems)
        ) from exc
    config.source = str(path)
    return config
