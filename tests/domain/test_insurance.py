"""Company insurance imported from Sage vendor insurance (domain/insurance.py): the mapping
table row by row, and the seed's limits, each quoting seeds/004."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.company_account import CompanyAccount
from domain.insurance import (
    MAPPING,
    SETTING_OFF,
    InsuranceRefused,
    SageVendorInsurance,
    changes,
    check_enabled,
    check_vendor_code,
    company_insurance,
    synced_company,
)
from domain.links import Link, LinkKind, LinkOrigin, LinkRegistry

AT = datetime(2026, 12, 2, tzinfo=UTC)
GL = SageVendorInsurance.model_validate(
    {
        "vendor_id": "V-100",
        "level": "global",
        "insurance_type": "General Liability",
        "policy_number": "GL-2026-0042",
        "insurance_company": "Golden State Mutual",
        "limit": 2_000_000.0,
        "effective_date": "2026-01-01",
        "expiration_date": "2026-12-31",
        "created_at": "ignored",
    }
)


def imported(*records: SageVendorInsurance):
    return company_insurance(records, "V-100", "C-ACME", "acct.admin", AT)


def only_policy(*records: SageVendorInsurance):
    result = imported(*records)
    assert len(result.policies) == 1
    return result.policies[0]


def test_the_table_has_the_seeds_six_rows():
    """seeds/004 "Company Insurance": Type, Policy Number, Insurance Provider, Limit Amount,
    Effective Date, Expiration Date."""
    assert [procore for procore, _, _ in MAPPING] == [
        "Type",
        "Policy Number",
        "Insurance Provider",
        "Limit Amount",
        "Effective Date",
        "Expiration Date",
    ]


def test_row_type_pulls_only_the_default_types_if_entered():
    """ "Type <- Pulls only the Sage 300 CRE® default insurance types (if entered) – General
    Liability, Automobile, Umbrella & Worker’s Insurance"."""
    records = [
        GL.model_copy(update={"insurance_type": kind, "policy_number": f"P-{n}"})
        for n, kind in enumerate(["Worker’s Insurance", "Umbrella", "Automobile", "Builders Risk"])
    ]
    records.append(GL)
    records.append(
        SageVendorInsurance(vendor_id="V-100", insurance_type="Pollution", policy_number="X")
    )
    result = imported(*records)
    assert [policy.type for policy in result.policies] == [
        "General Liability",
        "Automobile",
        "Umbrella",
        "Worker's",
    ]
    assert result.left_out == [
        "Builders Risk: not a Sage 300 CRE® default type",
        "Pollution: not a Sage 300 CRE® default type",
    ]
    nothing = SageVendorInsurance(vendor_id="V-100", insurance_type="Umbrella")
    assert imported(nothing).policies == []
    assert imported(nothing).left_out == ["Umbrella: nothing entered"]


def test_row_policy_number():
    """ "Policy Number <- General Liability Insurance Policy Number"."""
    assert only_policy(GL).policy_number == "GL-2026-0042"


def test_row_insurance_provider_is_the_insurance_company():
    """ "Insurance Provider <- General Liability Insurance Company"."""
    assert only_policy(GL).insurance_provider == "Golden State Mutual"


def test_row_limit_amount():
    """ "Limit Amount <- General Liability Insurance Limit"."""
    assert only_policy(GL).limit_amount == 2_000_000.0
    with pytest.raises(ValueError):
        GL.model_validate({**GL.model_dump(), "limit": -1})


def test_row_effective_date():
    """ "Effective Date <- General Liability Insurance Effective Date"."""
    assert only_policy(GL).effective_date == date(2026, 1, 1)


def test_row_expiration_date():
    """ "Expiration Date <- General Liability Insurance Expiration Date"."""
    assert only_policy(GL).expiration_date == date(2026, 12, 31)


def test_only_the_global_level_is_read():
    """ "Insurance information is retrieved from the AP Vendor Insurance (Global Level)"."""
    job_level = GL.model_copy(update={"level": "job", "job_id": "1001", "policy_number": "J"})
    result = imported(job_level, GL)
    assert [p.policy_number for p in result.policies] == ["GL-2026-0042"]
    assert result.left_out == ["General Liability of job 1001: not Global Level"]


def registry(*links: Link) -> LinkRegistry:
    return LinkRegistry(links=list(links))


def test_only_on_synced_companies():
    """ "Company Insurance information is only imported into Procore from Sage 300 CRE® on
    synced companies": the directory's link, or a company exported as the vendor."""
    assert synced_company({"V-100": "C-ACME"}, registry(), "V-100") == "C-ACME"
    exported = Link(
        kind=LinkKind.VENDOR, procore="C-NEW", sage_id="V-400", origin=LinkOrigin.EXPORTED, at=AT
    )
    assert synced_company({}, registry(exported), "V-400") == "C-NEW"
    with pytest.raises(InsuranceRefused, match=r"vendor V-200 is not linked .* vendors link V-200"):
        synced_company({"V-100": "C-ACME"}, registry(exported), "V-200")


def test_an_optional_setting_off_by_default():
    """ "This is an optional setting that can be enabled by ERP Support" (Custom Settings
    Available on Request: "Vendor Insurance Sync")."""
    account = CompanyAccount(name="Demo")
    assert account.vendor_insurance_sync is False
    with pytest.raises(InsuranceRefused) as refused:
        check_enabled(account.vendor_insurance_sync)
    assert str(refused.value) == SETTING_OFF
    check_enabled(True)


def test_an_answer_for_another_vendor_or_a_type_twice_is_never_taken():
    with pytest.raises(InsuranceRefused, match="not of vendor V-100"):
        imported(GL.model_copy(update={"vendor_id": "V-200"}))
    with pytest.raises(InsuranceRefused, match="two General Liability policies"):
        imported(GL, GL.model_copy(update={"policy_number": "other"}))


def test_a_reimport_says_what_changed_and_never_holds_a_type_twice():
    first = imported(GL)
    assert changes(None, first) == (
        "insurance of vendor V-100 on company C-ACME: 1 policies (General Liability)"
    )
    auto = GL.model_copy(update={"insurance_type": "Automobile", "policy_number": "AU-1"})
    second = imported(GL.model_copy(update={"limit": 3_000_000.0}), auto)
    assert [p.type for p in second.policies] == ["General Liability", "Automobile"]
    said = changes(first, second)
    assert said.endswith("2 policies, added Automobile; updated General Liability")
    assert changes(second, second).endswith("2 policies, no change")


@pytest.mark.parametrize(
    ("code", "words"),
    [(None, "can't be blank"), (" ", "can't be blank"), ("../V-100", "is not a Sage code")],
)
def test_a_careless_vendor_id_is_refused_in_the_sage_code_words(code, words):
    with pytest.raises(InsuranceRefused, match=words):
        check_vendor_code(code)
    assert check_vendor_code("V-100") == "V-100"
