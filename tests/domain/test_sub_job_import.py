"""A Sage extra imported as a Procore sub job (domain/sub_job_import.py), rule by rule with the
seed lines it follows (seeds/004)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.links import Link, LinkKind, LinkOrigin, LinkRegistry
from domain.permissions import ErpAction, NotPermitted, authorize_erp_action
from domain.settings import RosterUser
from domain.sub_job_import import (
    SageExtra,
    SubJobImportRefused,
    check_extra_code,
    check_import,
    import_link,
    sub_job_from_extra,
)

AT = datetime(2026, 12, 2, tzinfo=UTC)
EXTRA = SageExtra.model_validate(
    {
        "job_id": "1001",
        "extra_id": "EW-1",
        "description": "East Wing",
        "cost_codes": [
            {"code": "03-300", "description": "Concrete", "categories": ["1"]},
            {"code": "01-100", "description": "General conditions", "categories": ["1", "4"]},
        ],
        "created_at": "ignored",
    }
)


def test_the_mapping_table_code_is_the_extra_sub_job_is_the_description():
    """seeds/004 "Sub Jobs/Extras": "Code <-> Extra", "Sub Job <-> Description"; and "Cost codes
    and categories that are assigned to a sub job must be maintained in your ERP system (not
    Procore)": taken as Sage holds them."""
    sub_job = sub_job_from_extra(EXTRA, "1001", "EW-1", "acct.ana", AT)
    assert (sub_job.code, sub_job.name, sub_job.job_id) == ("EW-1", "East Wing", "1001")
    assert [(c.code, c.categories) for c in sub_job.cost_codes] == [
        ("01-100", ["1", "4"]),
        ("03-300", ["1"]),
    ]
    link = import_link(sub_job)
    assert (link.kind, link.procore, link.sage_id, link.origin) == (
        LinkKind.SUB_JOB,
        "EW-1",
        "EW-1",
        LinkOrigin.IMPORTED,
    )


def test_an_extra_without_a_description_is_named_by_its_code():
    bare = EXTRA.model_copy(update={"description": ""})
    assert sub_job_from_extra(bare, "1001", "EW-1", "acct.ana", AT).name == "EW-1"


def test_an_answer_for_another_extra_or_job_is_never_taken():
    for job, asked in (("1002", "EW-1"), ("1001", "EW-2")):
        with pytest.raises(SubJobImportRefused, match="not extra"):
            sub_job_from_extra(EXTRA, job, asked, "acct.ana", AT)


def link(procore: str, sage_id: str, origin: LinkOrigin = LinkOrigin.EXPORTED) -> Link:
    return Link(kind=LinkKind.SUB_JOB, procore=procore, sage_id=sage_id, origin=origin, at=AT)


@pytest.mark.parametrize(
    ("held", "words"),
    [
        (link("EW-1", "EW-1", LinkOrigin.IMPORTED), "synced with sub job EW-1 already (imported)"),
        (link("SJ-01", "EW-1"), "synced with sub job SJ-01 already (exported); one extra is one"),
        (link("EW-1", "X-9"), "sub job EW-1 is synced with Sage extra X-9 already"),
    ],
)
def test_one_extra_is_one_sub_job(held: Link, words: str):
    """Ours (the seed names no message): an extra synced already, with this sub job or another
    (an exported sub job whose SubJob ID was changed at accept), is not imported again."""
    registry = LinkRegistry(links=[held])
    with pytest.raises(SubJobImportRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        check_import(registry, "1001", "EW-1")


def test_other_links_do_not_stand_in_the_way():
    job = Link(kind=LinkKind.JOB, procore="P-1001", sage_id="EW-1", at=AT)
    check_import(LinkRegistry(links=[job, link("SJ-02", "EW-2")]), "1001", "EW-1")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (None, "can't be blank"),
        ("", "can't be blank"),
        ("  ", "can't be blank"),
        ("../1002/EW", "is not a Sage code"),
        ("EW 1", "is not a Sage code"),
        ("Ｅ1", "is not a Sage code"),
        ("E" * 41, "is too long"),
    ],
)
def test_a_careless_extra_code_is_refused_in_the_sage_code_words(code, words):
    with pytest.raises(SubJobImportRefused, match=words):
        check_extra_code(code)
    assert check_extra_code("EW-1") == "EW-1"


def test_the_matrix_level_standard_or_admin_on_erp_integrations():
    """seeds/004 permissions matrix: "Import an ERP Sub Job to a Procore Project", checked for
    Standard and Admin."""
    roster = {
        name: RosterUser.model_validate({"erp": level})
        for name, level in (("ana", "standard"), ("adam", "admin"), ("vic", "read_only"))
    }
    roster["pm"] = RosterUser.model_validate({"erp": "none", "tool_admin": ["directory"]})
    for user in ("ana", "adam"):
        authorize_erp_action(roster, user, ErpAction.IMPORT_SUB_JOB, "project P-1001")
    for user, has in (("vic", "Read Only"), ("pm", "None")):
        with pytest.raises(NotPermitted, match=f"needs Standard or Admin .* \\(has {has}\\)"):
            authorize_erp_action(roster, user, ErpAction.IMPORT_SUB_JOB, "project P-1001")
