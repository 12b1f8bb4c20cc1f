"""Settings of one mock Sage server, shared by the CLI, the app factory and tests."""

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class MockConfig(BaseModel):
    """How one mock server runs.

    The keys are `SecretStr`s so that printing or logging a config never shows them; they are
    read at startup only: `create_app` hashes them (`ApiKeyHash`) and keeps a copy of the config
    without them (`api_key=None`, `admin_key=None`).
    `api_key` is the orchestrator's (every `/v1/` call); `admin_key` is the person's in Sage and
    the tests' knobs (every `/admin/` call): never the same key, and neither opens the other's
    door. Without an admin key the admin API is off (403 on every `/admin/` call).
    Windows and delays are floats so that tests can use fractions of a second.
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    db_path: Path = Path(".data/sage.sqlite")
    api_key: SecretStr | None
    admin_key: SecretStr | None = None
    rate_limit: int = Field(default=3600, ge=1)
    rate_window_seconds: float = Field(default=3600.0, gt=0)
    auto_post_seconds: float = Field(default=5.0, ge=0)
