"""The process configuration from the environment (`Config`), shared by worker, command line
and tools; project settings are something else (domain/settings.py).

After `make run`, the demo's values (Temporal's address, the Sage key, the settings copy, the
codec and signing keys) are in `.data/demo.env`. `config()` takes them from there when the
environment has not said otherwise, so a second terminal needs nothing sourced:
- `ERP_ENV_FILE=PATH` names another file; `ERP_ENV_FILE=` (empty) reads none;
- a variable already in the environment wins over the file's;
- a `TEMPORAL_ADDRESS` in the environment other than the file's means another stack: then the
  file is not read at all (its settings and keys belong to the demo's server).
The values go into `os.environ` (never overriding), because the codec keys and the signing
keys are read from there (runtime/codec.py, the command line's signing).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from contract.sage import sage_task_queue

HERE = Path(__file__).resolve().parent.parent
"""The source tree: examples/ and .data/ are beside the packages."""


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "erp-export"
    temporal_tls_cert: Path | None = Field(default=None, description="Client certificate (mTLS)")
    temporal_tls_key: Path | None = None
    temporal_tls_ca: Path | None = None
    temporal_api_key: SecretStr | None = Field(default=None, description="Temporal Cloud API key")

    sage_api_url: str = "http://127.0.0.1:8765"
    sage_api_key: SecretStr = SecretStr("dev-sage-key")
    sage_rate_limit_per_hour: int = Field(default=3600, gt=0)
    sage_timeout_seconds: float = Field(default=10.0, gt=0)

    erp_projects_file: Path = HERE / "examples" / "projects.json"
    erp_company_file: Path = Field(
        default=HERE / "examples" / "company.json",
        description="The company account: company-level ERP settings and Company Directory.",
    )

    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    @property
    def sage_task_queue(self) -> str:
        return sage_task_queue(self.temporal_task_queue)


DEMO_ENV = HERE / ".data" / "demo.env"
ENV_FILE_VAR = "ERP_ENV_FILE"


def read_env_file(path: Path) -> dict[str, str]:
    """`export KEY=VALUE` (or `KEY=VALUE`) lines, values shell-quoted as devstack writes them;
    blank lines and comments skipped."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if sep and key.strip().isidentifier():
            words = shlex.split(value)
            values[key.strip()] = words[0] if words else ""
    return values


def apply_local_env(environ: MutableMapping[str, str] | None = None) -> Path | None:
    """Take the demo's values (module docstring) into `environ` where it has none; returns the
    file read, or None."""
    env = os.environ if environ is None else environ
    named = env.get(ENV_FILE_VAR)
    path = DEMO_ENV if named is None else Path(named) if named else None
    if path is None or not path.is_file():
        return None
    values = read_env_file(path)
    address = env.get("TEMPORAL_ADDRESS")
    if address and address != values.get("TEMPORAL_ADDRESS", address):
        return None
    for key, value in values.items():
        env.setdefault(key, value)
    return path


@lru_cache(maxsize=1)
def config() -> Config:
    apply_local_env()
    return Config()
