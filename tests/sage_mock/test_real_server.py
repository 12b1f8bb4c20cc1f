"""The real thing: `python -m sage_mock` under uvicorn, killed and restarted on its file."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.sage_mock.conftest import ADMIN_AUTH, AUTH, SUBCONTRACT, RealServer

KEY = {**AUTH, "Idempotency-Key": "commitment:P-1001:SC-0042/create/1"}


def test_records_and_idempotent_answers_survive_a_kill_and_restart(
    real_server: RealServer,
) -> None:
    with httpx.Client(base_url=real_server.base_url, headers=KEY) as http:
        created = http.post("/v1/commitments", json=SUBCONTRACT)
    assert created.status_code == 201

    real_server.kill()
    real_server.start()

    with httpx.Client(base_url=real_server.base_url, headers=KEY) as http:
        found = http.get("/v1/commitments/1001/SC-0042")
        replayed = http.post("/v1/commitments", json=SUBCONTRACT)
        batch = http.get(f"/v1/batches/{created.json()['batch']['batch_id']}")
        stats = http.get("/admin/stats", headers=ADMIN_AUTH).json()
    assert found.json() == created.json()["commitment"]
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == created.json()
    assert batch.json() == created.json()["batch"]
    assert stats["records"] == {**dict.fromkeys(stats["records"], 0), "commitments": 1}


def test_a_dropped_connection_hides_a_write_that_happened(real_server: RealServer) -> None:
    with httpx.Client(base_url=real_server.base_url, headers=KEY) as http:
        http.put("/admin/faults", json={"drop_rate": 1.0}, headers=ADMIN_AUTH)

        with pytest.raises(httpx.TransportError):
            http.post("/v1/commitments", json=SUBCONTRACT)

        http.put("/admin/faults", json={}, headers=ADMIN_AUTH)
        retried = http.post("/v1/commitments", json=SUBCONTRACT)
        records = http.get("/admin/records/commitments", headers=ADMIN_AUTH).json()
        stats = http.get("/admin/stats", headers=ADMIN_AUTH).json()
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert len(records) == 1
    assert stats["dropped"] == 1


def test_the_api_key_never_reaches_the_log(real_server: RealServer) -> None:
    with httpx.Client(base_url=real_server.base_url, headers=AUTH) as http:
        http.get("/v1/jobs")
        http.get("/v1/jobs", headers={"Authorization": "Bearer some-other-key"})
    real_server.kill()

    log = real_server.log_path.read_text()
    assert "sage_request" in log
    assert AUTH["Authorization"].split()[1] not in log
    assert "some-other-key" not in log


def test_concurrent_retries_of_one_write_create_one_record(real_server: RealServer) -> None:
    def post(key: str) -> int:
        with httpx.Client(base_url=real_server.base_url, headers=AUTH) as http:
            answer = http.post(
                "/v1/commitments", json=SUBCONTRACT, headers={"Idempotency-Key": key}
            )
            return answer.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        same_key = list(pool.map(post, ["same"] * 16))
        other_keys = list(pool.map(post, [f"other-{n}" for n in range(8)]))

    with httpx.Client(base_url=real_server.base_url, headers=AUTH) as http:
        records = http.get("/admin/records/commitments", headers=ADMIN_AUTH).json()
    assert same_key == [201] * 16
    assert other_keys == [409] * 8
    assert len(records) == 1
