"""Request counters behind `GET /admin/stats`; persisted so a restart keeps the tally."""

import sqlite3


def bump(db: sqlite3.Connection, *names: str) -> None:
    db.executemany(
        "INSERT INTO request_counters (name, count) VALUES (?, 1)"
        " ON CONFLICT (name) DO UPDATE SET count = count + 1",
        [(name,) for name in names],
    )


def read_all(db: sqlite3.Connection) -> dict[str, int]:
    return {row["name"]: row["count"] for row in db.execute("SELECT * FROM request_counters")}
