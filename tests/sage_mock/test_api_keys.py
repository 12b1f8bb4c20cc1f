"""The mock keeps its API key only as a salted hash and checks it in constant time."""

import gc
import hmac
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from sage_mock import MockConfig, create_app
from sage_mock import api_keys as api_keys_module
from tests.sage_mock.conftest import ADMIN_AUTH, ADMIN_KEY, API_KEY, AUTH, subcontract


def strings_reachable_from(root: Any) -> Iterator[str]:
    """Every str and bytes an object holds, through attributes, containers and closures.

    Modules, classes and a function's globals are not followed: they lead to the whole
    program (this test module's own constants included), not to what the object keeps.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, bytes | bytearray):
            yield bytes(obj).decode("latin-1")
        elif isinstance(obj, types.ModuleType | type):
            continue
        elif isinstance(obj, types.FunctionType):
            cells = [c.cell_contents for c in obj.__closure__ or () if c.cell_contents is not None]
            stack.extend([*cells, *(obj.__defaults__ or ()), obj.__dict__])
        elif isinstance(obj, SecretStr):
            stack.append(obj.get_secret_value())
        else:
            stack.extend(gc.get_referents(obj))


def holds_key(root: Any) -> bool:
    """Whether either raw key (the API key, the admin key) is reachable from `root`."""
    return any(API_KEY in text or ADMIN_KEY in text for text in strings_reachable_from(root))


def test_the_raw_key_is_not_kept_by_the_app(config: MockConfig):
    assert holds_key(config)  # what the search would find if the app kept the config as given
    app = create_app(config)
    try:
        services = app.state.services
        assert services.config.api_key is None and services.config.admin_key is None
        assert not holds_key(app)
        assert API_KEY not in repr(services.api_key)
        assert ADMIN_KEY not in repr(services.admin_key)
    finally:
        app.state.services.store.close()


async def test_the_raw_key_never_reaches_the_sqlite_file(config: MockConfig):
    app = create_app(config)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sage.test"
    ) as http:
        created = await http.post(
            "/v1/commitments",
            json=subcontract(),
            headers={**AUTH, "Idempotency-Key": "k-1"},
        )
        assert created.status_code == 201, created.text
        assert (await http.get("/v1/jobs", headers=AUTH)).status_code == 200
        assert (await http.get("/admin/stats", headers=ADMIN_AUTH)).status_code == 200
        wrong = {"Authorization": f"Bearer {API_KEY}-but-longer"}
        assert (await http.get("/v1/jobs", headers=wrong)).status_code == 401
    app.state.services.store.close()
    files = sorted(Path(config.db_path).parent.glob(Path(config.db_path).name + "*"))
    assert files, "the mock wrote no database"
    for path in files:
        assert API_KEY.encode() not in path.read_bytes(), path.name
        assert ADMIN_KEY.encode() not in path.read_bytes(), path.name


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Bearer {API_KEY[:-1]}",
        f"Bearer {API_KEY}x",
        f"Bearer {API_KEY.upper()}",
        f"Basic {API_KEY}",
        API_KEY,
        f"Bearer  {API_KEY}",
    ],
)
async def test_a_wrong_key_is_refused(client: httpx.AsyncClient, authorization: str | None):
    headers = {} if authorization is None else {"Authorization": authorization}
    client.headers.pop("Authorization", None)
    for path in ("/v1/jobs", "/admin/stats"):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 401, (path, authorization)


async def test_keys_are_compared_as_hashes_in_constant_time(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_keys_module.hmac, "compare_digest", spy)
    assert (await client.get("/v1/jobs")).status_code == 200
    assert (
        await client.get("/v1/jobs", headers={"Authorization": "Bearer nope"})
    ).status_code == 401
    assert len(compared) == 2
    for presented, expected in compared:
        assert len(presented) == len(expected) == 32  # digests, never the keys themselves
        assert API_KEY.encode() not in (presented, expected)
