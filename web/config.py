"""Settings of the web app, from arguments, environment variables (``BPMTOOL_*``) or defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MB", "Settings"]

MB = 1024 * 1024


class Settings(BaseSettings):
    """What a running app is configured with.

    >>> Settings(workspace=Path("ws")).max_model_bytes
    10485760
    """

    model_config = SettingsConfigDict(env_prefix="BPMTOOL_", extra="ignore")

    #: the folder holding models/, logs/, runs/ and the save history
    workspace: Path = Path("workspace")
    #: when set, every page and API call needs it (login cookie or ``Authorization: Bearer``)
    token: str | None = None
    #: a users file (name, token, role per person); replaces the single ``token``
    users_file: Path | None = None
    max_model_bytes: int = Field(default=10 * MB, gt=0)
    max_log_bytes: int = Field(default=500 * MB, gt=0)
    #: background processes that run checks (each one uses a CPU core while it works)
    check_workers: int = Field(default=1, ge=1, le=16)
    #: seed an empty workspace with the reference model and the example log
    seed: bool = True
    #: start the check workers at startup (they import pm4py once, before the first check)
    warm_workers: bool = False
    #: the host names requests may carry (``Host``, ``Origin``); ``*`` allows any
    allowed_hosts: list[str] = Field(default_factory=lambda: ["localhost", "127.0.0.1", "::1"])
    #: seconds a request body may pause before the request is refused (408)
    body_timeout: float = Field(default=30.0, gt=0)
    #: bytes a second a request body must average once 2 × ``body_timeout`` seconds have passed
    body_min_rate: float = Field(default=16 * 1024, gt=0)
    #: seconds a whole request body may take, however fast it arrives
    body_deadline: float = Field(default=3600.0, gt=0)
