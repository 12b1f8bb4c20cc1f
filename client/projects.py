"""The settings files tools read: project settings (one lookup for every tool) and the company
account."""

from __future__ import annotations

from pathlib import Path

from client.errors import USAGE, UserError
from domain.company_account import CompanyAccount, parse_company_account
from domain.settings import InvalidSettings, ProjectSettings, ProjectsFile, parse_projects


def read_settings_text(path: Path, what: str) -> str:
    """A settings file's text, or one line saying why it cannot be read."""
    try:
        return path.read_text()
    except OSError as err:
        raise UserError(f"{path}: cannot read {what} ({err.strerror})", USAGE) from None
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: {what} are not UTF-8 text ({err.reason})", USAGE) from None


def load_projects(path: Path) -> ProjectsFile:
    text = read_settings_text(path, "project settings")
    try:
        return parse_projects(text)
    except InvalidSettings as err:
        raise UserError(f"{path}: {err}", USAGE) from None


def find_project(
    projects: ProjectsFile, name: str, path: Path, source: str | None = None
) -> ProjectSettings:
    """The project's settings; else a usage error naming the known ones (and, for an item
    file, the file and its field)."""
    found = projects.projects.get(name)
    if found is None:
        known = ", ".join(sorted(projects.projects)) or "none"
        if source is not None:
            message = (
                f"{source}: field 'project': {name!r} is not in the project settings "
                f"file (known: {known})"
            )
        else:
            message = f"project {name!r} is not in {path} (known: {known})"
        raise UserError(message, USAGE)
    return found


def known_project(path: Path, name: str) -> ProjectSettings:
    """The project `name` of the settings file at `path`."""
    return find_project(load_projects(path), name, path)


def load_account(path: Path) -> CompanyAccount:
    text = read_settings_text(path, "the company account")
    try:
        return parse_company_account(text)
    except InvalidSettings as err:
        raise UserError(f"{path}: {err}", USAGE) from None


def known_company(path: Path, sage_company: str) -> CompanyAccount:
    """The company account at `path`, which must know `sage_company`."""
    account = load_account(path)
    try:
        account.erp_of(sage_company)
    except LookupError as err:
        raise UserError(f"{path}: {err}", USAGE) from None
    return account
