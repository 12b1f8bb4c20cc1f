"""The company account file and the Vendors tab's rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.company_account import (
    VendorState,
    parse_company_account,
    vendor_rows,
    with_account_companies,
)
from domain.erp import Erp
from domain.settings import InvalidSettings
from domain.vendors import Company, SageVendor, VendorDirectory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "company.json"


def test_the_example_account_names_both_companies_and_the_roster():
    account = parse_company_account(EXAMPLE.read_text())
    assert account.erp_of("S100") is Erp.SAGE100
    assert not account.vendors_auto_update
    # the people of DESIGN.md: acct.admin ERP admin, acct.ana standard, pm.alex no ERP rights
    roster = {user: entry.erp.value for user, entry in account.roster.items()}
    assert roster == {
        "acct.admin": "admin",
        "acct.ana": "standard",
        "pm.alex": "none",
        "viewer.vic": "read_only",
    }
    with pytest.raises(LookupError, match="known: CRE, S100"):
        account.erp_of("NOPE")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"name": "x", "sage_companies": {"CRE": "sage500"}}', "field 'sage_companies.CRE'"),
        ('{"name": "x", "vendors_auto_update": "maybe"}', "field 'vendors_auto_update'"),
        ('{"name": "x", "colour": 1}', "field 'colour': Extra inputs are not permitted"),
        (
            '{"name": "x", "companies": [{"company_id": "A", "name": "A", "vendor_id": "V"},'
            ' {"company_id": "B", "name": "B", "vendor_id": "V"}]}',
            "vendor 'V' is linked to company 'A' already",
        ),
    ],
)
def test_a_broken_account_file_is_refused_with_the_field(text, words):
    with pytest.raises(InvalidSettings) as refused:
        parse_company_account(text)
    assert words in str(refused.value)


def test_rows_say_what_each_vendor_needs():
    directory = VendorDirectory(
        companies={
            "C-A": Company(company_id="C-A", name="Alpha Inc", address="1 Main St", zip="90001"),
            "C-G": Company(company_id="C-G", name="Gone Co", vendor_id="V-GONE"),
        },
        archived=frozenset({"V-ARCH"}),
        vendors={
            v.vendor_id: v
            for v in (
                SageVendor(vendor_id="V-A", name="ALPHA", address="1 Main Street", zip="90001"),
                SageVendor(vendor_id="V-ARCH", name="Alpha"),
                SageVendor(vendor_id="V-OFF", name="Off", status="inactive"),
                SageVendor(vendor_id="V-NEW", name="Nobody Known"),
            )
        },
    )
    rows = {row.vendor_id: row for row in vendor_rows(directory)}
    assert {k: r.state for k, r in rows.items()} == {
        "V-A": VendorState.EXACT,
        "V-ARCH": VendorState.ARCHIVED,
        "V-GONE": VendorState.GONE,
        "V-NEW": VendorState.NONE,
        "V-OFF": VendorState.INACTIVE,
    }
    assert rows["V-GONE"].detail == "company C-G; linked, but Sage no longer lists it"
    assert rows["V-NEW"].detail == "import it or archive it"


def test_new_companies_join_the_directory_and_linked_ones_stay_as_they_are():
    account = parse_company_account(EXAMPLE.read_text())
    moved = Company(
        company_id="C-ACME", name="ACME Concrete", address="9 Elsewhere", vendor_id="V-1"
    )
    directory = VendorDirectory(companies={"C-ACME": moved})
    clash = account.model_copy(
        update={
            "companies": [*account.companies, Company(company_id="C-X", name="X", vendor_id="V-1")]
        }
    )
    merged, skipped = with_account_companies(directory, clash)
    assert merged.companies["C-ACME"] == moved
    assert {"C-BRIGHT", "C-SUMMIT"} <= merged.companies.keys() and "C-X" not in merged.companies
    assert skipped == ["company C-X not added: vendor V-1 is already linked to company C-ACME"]


def test_a_vendor_a_company_was_exported_as_is_listed_linked_to_that_company():
    """Issue 16: the registry's vendor link (a company item exported as the vendor) is a link
    like the directory's: not 'none: import it or archive it'."""
    vendor = SageVendor(vendor_id="V-600", name="Lakeside Glass Co")
    directory = VendorDirectory(vendors={"V-600": vendor})
    [row] = vendor_rows(directory, {"V-600": "C-6001"})
    assert (row.state, row.company_id) == (VendorState.LINKED, "C-6001")
    [unknown] = vendor_rows(directory)
    assert unknown.state is VendorState.NONE
