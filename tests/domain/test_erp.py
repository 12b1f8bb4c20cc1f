"""ERP profiles: what each Sage system takes, and how a project on the wrong one is refused."""

import json

import pytest

from domain.erp import (
    ITEM_NAMES,
    PROFILES,
    Capability,
    Erp,
    ErpRefused,
    profile,
    require,
    require_export,
)
from domain.items import ItemType
from domain.settings import InvalidSettings, parse_projects

SAGE_300_ONLY_EXPORTS = {
    ItemType.SUB_JOB,
    ItemType.PRIME_CONTRACT_CHANGE_ORDER,
    ItemType.OWNER_INVOICE,  # bills a prime contract, which only Sage 300 CRE® imports
}
SAGE_300_ONLY = {
    Capability.PRIME_CONTRACT_IMPORT,
    Capability.SUB_JOB_IMPORT,
    Capability.VENDOR_INSURANCE_IMPORT,
    Capability.VENDOR_AUTO_UPDATE,
}


def test_titles_are_the_seeds_spelling():
    assert profile(Erp.SAGE300).title == "Sage 300 CRE®"
    assert profile("sage100").title == "Sage 100 Contractor®"


def test_sage_300_cre_exports_every_item_type():
    assert profile(Erp.SAGE300).exports == frozenset(ItemType)


def test_sage_100_contractor_exports_what_seed_002s_workflows_cover():
    assert profile(Erp.SAGE100).exports == frozenset(ItemType) - SAGE_300_ONLY_EXPORTS


def test_sage_300_cre_has_every_capability():
    assert profile(Erp.SAGE300).capabilities == frozenset(Capability)


def test_sage_100_contractor_lacks_prime_contracts_sub_jobs_and_vendor_auto_update():
    assert profile(Erp.SAGE100).capabilities == frozenset(Capability) - SAGE_300_ONLY


@pytest.mark.parametrize("erp", list(Erp))
def test_every_entry_cites_its_seed(erp):
    target = PROFILES[erp]
    citations = [*target.export_citations.values(), *target.capability_citations.values()]
    assert citations
    for citation in citations:
        assert citation.startswith("seeds/00"), citation


@pytest.mark.parametrize("erp", list(Erp))
def test_each_profile_quotes_its_job_setup_rule(erp):
    assert "in both" in PROFILES[erp].job_setup_rule


def test_profiles_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        PROFILES[Erp.SAGE100].export_citations[ItemType.SUB_JOB] = "no"  # type: ignore[index]


@pytest.mark.parametrize("erp", list(Erp))
@pytest.mark.parametrize("item_type", list(ItemType))
def test_every_item_type_on_every_erp(erp, item_type):
    refused = erp is Erp.SAGE100 and item_type in SAGE_300_ONLY_EXPORTS
    if not refused:
        require_export(erp, item_type, "P-1")
        return
    with pytest.raises(ErpRefused) as err:
        require_export(erp, item_type, "P-3001")
    one, many = ITEM_NAMES[item_type]
    assert str(err.value) == (
        f"project P-3001 exports to Sage 100 Contractor®, which cannot take {one} "
        f"(missing capability: export of {many}; Sage 300 CRE® has it)"
    )


def test_the_pcco_refusal_reads_as_the_operator_sees_it():
    with pytest.raises(ErpRefused) as err:
        require_export("sage100", ItemType.PRIME_CONTRACT_CHANGE_ORDER, "P-3001")
    assert str(err.value) == (
        "project P-3001 exports to Sage 100 Contractor®, which cannot take a prime contract "
        "change order (missing capability: export of prime contract change orders; "
        "Sage 300 CRE® has it)"
    )


def test_the_sub_job_refusal_names_sage_extras():
    with pytest.raises(ErpRefused) as err:
        require_export(Erp.SAGE100, ItemType.SUB_JOB, "P-3002")
    assert str(err.value) == (
        "project P-3002 exports to Sage 100 Contractor®, which cannot take a sub job "
        "(missing capability: export of sub jobs as Sage extras; Sage 300 CRE® has it)"
    )


@pytest.mark.parametrize("erp", list(Erp))
@pytest.mark.parametrize("capability", list(Capability))
def test_every_capability_on_every_erp(erp, capability):
    if erp is Erp.SAGE300 or capability not in SAGE_300_ONLY:
        require(erp, capability, "P-1")
        return
    with pytest.raises(ErpRefused) as err:
        require(erp, capability, "P-3001")
    assert str(err.value) == (
        f"project P-3001 exports to Sage 100 Contractor®, which cannot {capability.action} "
        f"(missing capability: {capability.description}; Sage 300 CRE® has it)"
    )


def test_the_prime_contract_import_refusal_reads_well():
    with pytest.raises(ErpRefused) as err:
        require(Erp.SAGE100, Capability.PRIME_CONTRACT_IMPORT, "P-3001")
    assert str(err.value) == (
        "project P-3001 exports to Sage 100 Contractor®, which cannot import or re-import a "
        "prime contract (missing capability: prime contract import and re-import; "
        "Sage 300 CRE® has it)"
    )


def test_the_vendor_auto_update_refusal_quotes_the_setting():
    with pytest.raises(ErpRefused, match="'Vendors will be automatically updated'"):
        require(Erp.SAGE100, Capability.VENDOR_AUTO_UPDATE, "P-3001")


def test_a_refusal_is_a_value_error_for_callers_that_catch_those():
    assert issubclass(ErpRefused, ValueError)


def test_an_unknown_erp_is_not_a_profile():
    with pytest.raises(ValueError):
        profile("sage500")


# --- the project setting (domain/settings.py) ---


def settings_text(**project) -> str:
    body = {"project": "P-3001", "sage_job_id": "3001", **project}
    return json.dumps({"projects": {"P-3001": body}})


def test_a_project_is_on_sage_300_cre_in_the_default_company_unless_told():
    project = parse_projects(settings_text()).projects["P-3001"]
    assert (project.erp, project.sage_company) == (Erp.SAGE300, None)


def test_a_sage_100_project_names_its_company():
    text = settings_text(erp="sage100", sage_company="S100")
    project = parse_projects(text).projects["P-3001"]
    assert (project.erp, project.sage_company) == (Erp.SAGE100, "S100")


def test_a_sage_100_project_without_a_company_is_refused():
    with pytest.raises(InvalidSettings) as err:
        parse_projects(settings_text(erp="sage100"))
    assert "field 'projects.P-3001'" in str(err.value)
    assert "erp is sage100 but sage_company is not set" in str(err.value)


def test_a_sage_100_project_cannot_keep_its_sov_in_procore():
    text = settings_text(erp="sage100", sage_company="S100", sov_controlled_by="procore")
    with pytest.raises(InvalidSettings) as err:
        parse_projects(text)
    assert (
        "erp is sage100 but sov_controlled_by is procore: the lump-sum SOV mode needs prime "
        "contract sync, which Sage 100 Contractor® does not have"
    ) in str(err.value)


def test_a_sage_300_project_may_keep_its_sov_in_procore():
    project = parse_projects(settings_text(sov_controlled_by="procore")).projects["P-3001"]
    assert project.sov_controlled_by == "procore"


def test_an_empty_company_is_refused():
    with pytest.raises(InvalidSettings, match="sage_company"):
        parse_projects(settings_text(sage_company=""))
