"""Jobs created through the API: the job, its address, its cost codes and categories.

Reading a job is `master_data.find_job`, the same for seeded and created jobs.
"""

import json
import sqlite3
import time
from typing import Any

from sage_mock.companies import current_company
from sage_mock.job_cost import NewJob
from sage_mock.records import master_data


def insert(db: sqlite3.Connection, job: NewJob) -> dict[str, Any]:
    db.execute(  # in the request's company, created from a Procore project
        "INSERT INTO jobs (job_id, name, status, company_id, linked_project, origin)"
        " VALUES (?, ?, 'open', ?, ?, 'procore')",
        (job.job_id, job.name, current_company(), job.project),
    )
    db.execute(
        "INSERT INTO job_addresses (job_id, address, city, state, zip, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (job.job_id, job.address, job.city, job.state, job.zip, time.time()),
    )
    db.executemany(
        "INSERT INTO cost_codes (job_id, code, description, categories) VALUES (?, ?, ?, ?)",
        [(job.job_id, c.code, c.description, json.dumps(c.categories)) for c in job.cost_codes],
    )
    return master_data.find_job(db, job.job_id) or {}


def list_created(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """The jobs created through the API, oldest first."""
    ids = [r[0] for r in db.execute("SELECT job_id FROM job_addresses ORDER BY created_at")]
    return [job for job in (master_data.find_job(db, i) for i in ids) if job is not None]
