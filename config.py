"""Configuration from the environment, shared by worker and starter."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

HERE = Path(__file__).resolve().parent


class Settings(BaseSettings):
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
        return f"{self.temporal_task_queue}-sage"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
