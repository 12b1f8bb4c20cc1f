"""The web app's settings, from the environment (ERP_WEB_*), beside the orchestrator's own."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

HERE = Path(__file__).resolve().parents[1]
DATA = HERE / ".data"


class WebConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ERP_WEB_", env_file=None, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Loopback unless told otherwise.")
    port: int = Field(default=8600, gt=0, lt=65536)
    url: str = Field(
        default="http://localhost:8600", description="How people reach the page (mail links)."
    )
    users_file: Path = Field(
        default=DATA / "web-users.json", description="JSON user -> argon2 hash, mode 0600."
    )
    secret: SecretStr | None = Field(
        default=None, description="Signs session cookies; else kept in secret_file."
    )
    secret_file: Path = DATA / "web-secret.key"
    session_hours: float = Field(default=8, gt=0)
    secure_cookies: bool = Field(
        default=False, description="Cookies only over HTTPS (set behind a TLS proxy)."
    )
    temporal_ui_url: str = "http://localhost:8233"
    mailbox_db: Path | None = Field(
        default=None, description="The demo's SMTP server's store (web/mailbox.py): /mailbox."
    )
