"""`starter.py doctor`: is this machine set up to export? Each check says what it found and,
when it fails, the one thing to do about it.

The checks: Temporal can be reached, the custom search attributes are registered, the codec
keys load, Sage can be reached, Sage takes the API key, the hour's quota has headroom (and the
worker's rate is not above Sage's), and every project's Sage company and job exist in Sage.
A project's job is the settings' sage_job_id, else the job its export (or an import) linked in
the link registry: after a project export the settings name no job, the registry does.
Nothing here writes anything; each Sage look is one GET (it counts against the quota).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError

from client.connection import open_client
from client.errors import UserError, first_line
from client.links import project_links
from client.projects import load_projects
from contract import search_attributes as sa
from contract.links import LinksView
from contract.sage import COMPANY_HEADER
from domain.company_account import DEFAULT_SAGE_COMPANY
from domain.links import Link, LinkKind
from domain.sage_paths import sage_path
from domain.settings import ProjectSettings
from domain.text import printable
from runtime.codec import CodecKeys, InvalidKeys
from runtime.config import Config

QUOTA_HEADROOM = 0.10
"""Less than this share of the hour's quota left fails the check: exports would wait."""
LINKS_TIMEOUT = timedelta(seconds=5)
"""How long a project's link registry may take to answer (no worker: it never does)."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""
    """One line: what to do when the check fails."""


@dataclass
class _Sage:
    reachable: bool = False
    key_taken: bool = False


@dataclass(frozen=True)
class ProjectJob:
    """The Sage job doctor checks for a project, and where it was found."""

    job_id: str | None
    link: Link | None = None
    """the registry's job link, when the job came from there"""
    registry_job: str | None = None
    """the registry's job when it contradicts the settings' (every export is then refused)"""
    unread: str = ""
    """why the registry was not read (the settings' job alone was looked at)"""


def project_job(settings: ProjectSettings, links: LinksView | None, unread: str = "") -> ProjectJob:
    """The settings' sage_job_id when they name one, else the registry's job link (a project
    export or a job import made it), else none. A registry job other than the settings' is
    kept aside: an export finding both refuses (domain/links.resolve)."""
    link = links.registry.find(LinkKind.JOB, settings.project) if links else None
    if settings.sage_job_id:
        differs = link.sage_id if link and link.sage_id != settings.sage_job_id else None
        return ProjectJob(settings.sage_job_id, registry_job=differs, unread=unread)
    if link is not None:
        return ProjectJob(link.sage_id, link)
    return ProjectJob(None, unread=unread)


async def run_checks(cfg: Config) -> list[Check]:
    temporal, client = await _temporal(cfg)
    checks = [*temporal, _codec_keys()]
    sage = _Sage()
    try:
        http = httpx.AsyncClient(
            base_url=cfg.sage_api_url,
            headers={"Authorization": f"Bearer {cfg.sage_api_key.get_secret_value()}"},
            timeout=min(cfg.sage_timeout_seconds, 10.0),
        )
    except (httpx.InvalidURL, ValueError, TypeError) as err:
        fix = "set SAGE_API_URL to Sage's address, http(s)://HOST:PORT"
        found = printable(f"SAGE_API_URL {cfg.sage_api_url!r} is not a URL ({first_line(err)})")
        return [*checks, Check("sage", False, found, fix)]
    async with http:
        checks += await _sage(cfg, http, sage)
        if sage.key_taken:
            checks += await _settings_ids(cfg, http, client)
    return checks


async def _temporal(cfg: Config) -> tuple[list[Check], Client | None]:
    try:
        client = await open_client(cfg)
    except UserError as err:
        fix = (
            "start Temporal (make run) or set TEMPORAL_ADDRESS to the cluster's address"
            if "reach" in str(err)
            else "set ERP_CODEC_KEYS_FILE (or ERP_CODEC_KEYS) to the worker's keys file"
        )
        return [
            Check("temporal", False, str(err), fix),
            Check("search attributes", False, "not checked: Temporal cannot be reached", fix),
        ], None
    found = f"{cfg.temporal_address}, namespace {cfg.temporal_namespace}"
    checks = [Check("temporal", True, found)]
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=cfg.temporal_namespace)
        )
    except RPCError as err:
        checks.append(
            Check(
                "search attributes",
                False,
                f"cannot list them ({err.message})",
                "run starter.py setup with a client allowed to manage the namespace",
            )
        )
        return checks, client
    missing = sorted(key.name for key in sa.ALL if key.name not in listed.custom_attributes)
    if missing:
        checks.append(
            Check(
                "search attributes",
                False,
                "missing: " + ", ".join(missing),
                "run starter.py setup (registers them on the namespace)",
            )
        )
    else:
        checks.append(Check("search attributes", True, f"all {len(sa.ALL)} registered"))
    return checks, client


def _codec_keys() -> Check:
    try:
        keys = CodecKeys.from_env()
    except InvalidKeys as err:
        return Check(
            "codec keys",
            False,
            f"unusable: {first_line(err)}",
            "point ERP_CODEC_KEYS_FILE at the worker's keys file "
            "(python -m runtime.codec rotate FILE makes one)",
        )
    if keys is None:
        return Check("codec keys", True, "none set: payloads are not encrypted")
    return Check("codec keys", True, "loaded: payloads are encrypted")


async def _sage(cfg: Config, http: httpx.AsyncClient, sage: _Sage) -> list[Check]:
    url = cfg.sage_api_url
    try:
        answer = await http.get("/v1/company")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as err:
        fix = "start the Sage service (make run starts the mock) or correct SAGE_API_URL"
        why = first_line(err) or type(err).__name__
        return [
            Check("sage", False, printable(f"cannot reach {url} ({why})"), fix),
            Check("sage key", False, "not checked: Sage cannot be reached", fix),
            Check("sage quota", False, "not checked: Sage cannot be reached", fix),
        ]
    sage.reachable = True
    checks = [Check("sage", True, f"{url} answers")]
    if answer.status_code == 401:
        fix = (
            "set SAGE_API_KEY to the API key Sage issued (the worker's too; restart it), "
            "then run starter.py doctor again"
        )
        checks.append(Check("sage key", False, "Sage refused the API key (401)", fix))
    elif answer.status_code != 200:
        checks.append(
            Check(
                "sage key",
                False,
                f"Sage answered {answer.status_code} to GET /v1/company",
                "check SAGE_API_URL names Sage's API (it answers /v1/company)",
            )
        )
    else:
        sage.key_taken = True
        checks.append(Check("sage key", True, "taken"))
    checks.append(_quota(cfg, answer.headers))
    return checks


def _quota(cfg: Config, headers: httpx.Headers) -> Check:
    try:
        limit = int(headers["X-Rate-Limit-Limit"])
        remaining = int(headers["X-Rate-Limit-Remaining"])
        reset = int(float(headers.get("X-Rate-Limit-Reset", "0")))
    except (KeyError, ValueError):
        return Check(
            "sage quota",
            False,
            "Sage's answer carries no X-Rate-Limit headers",
            "check SAGE_API_URL names Sage's API",
        )
    found = f"{remaining} of {limit} requests left, window resets in {reset} s"
    if cfg.sage_rate_limit_per_hour > limit:
        return Check(
            "sage quota",
            False,
            f"{found}; SAGE_RATE_LIMIT_PER_HOUR={cfg.sage_rate_limit_per_hour} is above it",
            f"set SAGE_RATE_LIMIT_PER_HOUR to {limit} or less for the worker and restart it",
        )
    if remaining < max(1, int(limit * QUOTA_HEADROOM)):
        return Check(
            "sage quota",
            False,
            found,
            f"wait {reset} s for the window to reset (exports hold back until then on their own)",
        )
    return Check("sage quota", True, found)


async def _settings_ids(cfg: Config, http: httpx.AsyncClient, client: Client | None) -> list[Check]:
    path = cfg.erp_projects_file
    try:
        projects = load_projects(path)
    except UserError as err:
        return [
            Check(
                "settings",
                False,
                printable(str(err)),
                f"correct {path} (or set ERP_PROJECTS_FILE to the project settings file)",
            )
        ]
    checks: list[Check] = []
    registry = _Registry(client)
    for name, project in sorted(projects.projects.items()):
        company = project.sage_company or DEFAULT_SAGE_COMPANY
        headers = {COMPANY_HEADER: company}
        try:
            found = await http.get("/v1/company", headers=headers)
            job, answer = None, None
            if found.status_code == 200:
                job = await registry.job_of(project)
                if job.job_id:
                    answer = await http.get(sage_path("/v1/jobs", job.job_id), headers=headers)
        except httpx.HTTPError as err:
            checks.append(
                Check(f"settings {name}", False, f"Sage did not answer ({first_line(err)})", "")
            )
            continue
        checks.append(_project_check(name, company, path, found, job, answer))
    return checks


class _Registry:
    """Reads each project's link registry; after one failed read (no worker answers the
    query, Temporal is gone) the rest are not tried: doctor stays quick."""

    def __init__(self, client: Client | None) -> None:
        self._client = client
        self._unread = "" if client else "Temporal cannot be reached"

    async def job_of(self, project: ProjectSettings) -> ProjectJob:
        if self._client is None or self._unread:
            return project_job(project, None, self._unread)
        try:
            links = await project_links(self._client, project.project, LINKS_TIMEOUT)
        except (UserError, RPCError) as err:
            self._unread = printable(first_line(err)) or type(err).__name__
            return project_job(project, None, self._unread)
        return project_job(project, links)


def _project_check(
    name: str,
    company: str,
    path: Path,
    found: httpx.Response,
    job: ProjectJob | None,
    answer: httpx.Response | None,
) -> Check:
    label = f"settings {name}"
    apply = f"then starter.py settings apply {path} --as USER (an ERP Admin)"
    if found.status_code != 200 or job is None:
        return Check(
            label,
            False,
            f"sage_company {company!r} is not a company in Sage",
            f"set sage_company of {name} in {path} to a Sage company; {apply}",
        )
    if answer is not None and answer.status_code != 200:
        if job.link is None:
            return Check(
                label,
                False,
                f"sage_job_id {job.job_id!r} is not a job of Sage company {company}",
                f"set sage_job_id of {name} in {path} to the Sage job; {apply}",
            )
        return Check(
            label,
            False,
            f"Sage job {job.job_id!r}, the link registry's job of {name} "
            f"({job.link.origin.value}), is not a job of Sage company {company}",
            f"re-open or restore job {job.job_id} in Sage company {company} (its records are "
            f"linked to it: starter.py links {name}), then starter.py doctor again",
        )
    if job.registry_job:
        return Check(
            label,
            False,
            f"sage_job_id {job.job_id!r}, but {name} is synced with Sage job "
            f"{job.registry_job!r} (the link registry): every export is refused",
            f"set sage_job_id of {name} in {path} to {job.registry_job} (or remove it); {apply}",
        )
    if job.job_id is None:
        unread = f" (its link registry not read: {job.unread})" if job.unread else ""
        return Check(label, True, f"company {company} in Sage, no job yet{unread}")
    where = " (the link registry's)" if job.link else ""
    return Check(label, True, f"company {company}, job {job.job_id}{where} in Sage")
