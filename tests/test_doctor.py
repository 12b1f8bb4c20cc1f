"""`starter.py doctor`'s reading of Sage's quota headers and its choice of each project's Sage
job (client/doctor.py); the checks against a real stack are in tests/e2e/test_recovery_e2e.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from client.doctor import _project_check, _quota, project_job
from client.projects import load_projects
from contract.links import LinksView
from domain.links import Link, LinkKind, LinkRegistry
from domain.settings import ProjectSettings
from runtime.config import Config


def headers(limit: str, remaining: str, reset: str = "120") -> httpx.Headers:
    return httpx.Headers(
        {
            "X-Rate-Limit-Limit": limit,
            "X-Rate-Limit-Remaining": remaining,
            "X-Rate-Limit-Reset": reset,
        }
    )


def test_headroom_passes() -> None:
    check = _quota(Config(sage_rate_limit_per_hour=3600), headers("3600", "3000"))
    assert check.ok and "3000 of 3600" in check.found


def test_little_headroom_fails_with_the_wait() -> None:
    check = _quota(Config(sage_rate_limit_per_hour=3600), headers("3600", "100", "900"))
    assert not check.ok and "wait 900 s" in check.fix


def test_a_worker_rate_above_sages_fails_with_the_setting_to_use() -> None:
    check = _quota(Config(sage_rate_limit_per_hour=7200), headers("3600", "3600"))
    assert not check.ok and "SAGE_RATE_LIMIT_PER_HOUR to 3600 or less" in check.fix


@pytest.mark.parametrize(
    "bad",
    [
        httpx.Headers({}),
        headers("lots", "1"),
        headers("3600", "-"),
        headers("1" * 5000, "1"),
    ],
)
def test_missing_or_hostile_headers_fail_without_a_traceback(bad: httpx.Headers) -> None:
    check = _quota(Config(), bad)
    assert not check.ok and check.fix


# --- which Sage job a project's check looks at: the settings', else the link registry's ---


def settings(job: str | None) -> ProjectSettings:
    project = load_projects(Config().erp_projects_file).projects["P-1001"]
    return project.model_copy(update={"sage_job_id": job})


def registry_job(job: str) -> LinksView:
    link = Link(
        kind=LinkKind.JOB,
        procore="P-1001",
        sage_id=job,
        item="project:P-1001:P-1001",
        at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    return LinksView(home="erp_project:P-1001", registry=LinkRegistry(links=[link]))


def answer(status: int) -> httpx.Response:
    return httpx.Response(status)


def test_after_a_project_export_the_registrys_job_is_checked() -> None:
    job = project_job(settings(None), registry_job("J-77"))
    assert job.job_id == "J-77" and job.link is not None
    check = _project_check("P-1001", "C1", Path("p.json"), answer(200), job, answer(200))
    assert check.ok and "job J-77 (the link registry's)" in check.found
    assert "no job yet" not in check.found


def test_the_settings_job_comes_first() -> None:
    job = project_job(settings("1001"), None)
    assert (job.job_id, job.link, job.registry_job) == ("1001", None, None)
    assert project_job(settings("1001"), registry_job("1001")).registry_job is None


def test_a_registry_job_gone_from_sage_fails_with_the_place_to_look() -> None:
    job = project_job(settings(None), registry_job("J-77"))
    check = _project_check("P-1001", "C1", Path("p.json"), answer(200), job, answer(404))
    assert not check.ok and "link registry" in check.found
    assert "job J-77 in Sage company C1" in check.fix and "starter.py links P-1001" in check.fix


def test_settings_naming_another_job_than_the_registry_fail_with_the_one_to_set() -> None:
    job = project_job(settings("1001"), registry_job("J-77"))
    check = _project_check("P-1001", "C1", Path("p.json"), answer(200), job, answer(200))
    assert not check.ok and "every export is refused" in check.found
    assert "set sage_job_id of P-1001 in p.json to J-77" in check.fix


def test_no_job_anywhere_passes_and_says_why_the_registry_was_not_read() -> None:
    job = project_job(settings(None), None, "Temporal cannot be reached")
    check = _project_check("P-1001", "C1", Path("p.json"), answer(200), job, None)
    assert check.ok and "no job yet" in check.found and "Temporal cannot be reached" in check.found


def test_a_hostile_registry_link_for_another_project_is_not_taken() -> None:
    other = registry_job("J-77").registry.links[0].model_copy(update={"procore": "P-9"})
    links = LinksView(home="erp_project:P-1001", registry=LinkRegistry(links=[other]))
    assert project_job(settings(None), links).job_id is None
