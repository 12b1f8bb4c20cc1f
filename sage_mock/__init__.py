"""A mock Sage 300 CRE API: the wire contract in API.md, served by FastAPI over SQLite.

It shares nothing with the orchestrator but the wire format, so the orchestrator can
be tested against an API that fails, throttles and restarts the way the real one does.
"""

from sage_mock.app import create_app
from sage_mock.config import MockConfig

__all__ = ["MockConfig", "create_app"]
