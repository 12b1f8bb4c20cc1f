"""Sage vendors and Procore companies: matching, linking, archiving, importing, auto-update."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.vendors import (
    AUTO_UPDATE_OFF,
    Company,
    MatchKind,
    SageVendor,
    VendorDirectory,
    VendorRefused,
    match,
    match_all,
    normalise_address,
    normalise_name,
)

# The contract's S100 vendors (two "Summit Roofing" at different addresses) and CRE's V-100.
GRANITE = SageVendor(
    vendor_id="S-10",
    name="Granite Masonry Co",
    address="88 Quarry Rd",
    city="Fresno",
    state="CA",
    zip="93706",
    telephone="559-555-0110",
)
SUMMIT_FRESNO = SageVendor(
    vendor_id="S-30", name="Summit Roofing", address="12 Ridge Way", city="Fresno", zip="93711"
)
SUMMIT_VISALIA = SageVendor(
    vendor_id="S-31", name="Summit Roofing", address="900 Valley Ave", city="Visalia", zip="93277"
)
ACME = SageVendor(
    vendor_id="V-100",
    name="ACME Concrete",
    address="1 Cement Way",
    city="Riverside",
    state="CA",
    zip="92501",
    telephone="951-555-0100",
)


def company(company_id: str, name: str, address="", city="", zip="", **more) -> Company:
    return Company(company_id=company_id, name=name, address=address, city=city, zip=zip, **more)


GRANITE_CO = company("C-1", "Granite Masonry, Co.", "88 Quarry Road", "FRESNO", "93706-1234")


# --- normalisation ---


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Steel Works Inc", "Steel Works, Inc."),
        ("Steel Works Inc", "STEEL  WORKS"),
        ("Northside Glazing LLC", "Northside Glazing L.L.C."),
        ("Bright & Sons Electric", "Bright and Sons Electric"),
        ("ACME Concrete Co. Inc.", "acme concrete"),
    ],
)
def test_names_equal_after_normalising(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Summit Roofing", "Summit Roofers"), ("ACME Concrete", "ACME Concrete Pumping")],
)
def test_different_businesses_stay_apart(a, b):
    assert normalise_name(a) != normalise_name(b)


def test_a_name_that_is_only_a_legal_form_is_kept():
    assert normalise_name("Co") == "co"


def test_addresses_compare_street_city_and_five_digit_zip():
    assert normalise_address("88 Quarry Rd.", "Fresno", "93706") == normalise_address(
        "88 QUARRY ROAD", "fresno", "93706-1234"
    )
    assert normalise_address("88 Quarry Rd", "Fresno", "93706") != normalise_address(
        "88 Quarry Rd", "Fresno", "93711"
    )


def test_an_empty_street_matches_nothing():
    assert normalise_address("", "Fresno", "93706") is None


_NOISE = st.sampled_from(["", " ", ",", ".", "  ", " - "])


@given(
    words=st.lists(st.from_regex(r"[A-Za-z][a-z]{1,8}", fullmatch=True), min_size=1, max_size=4),
    noise=st.lists(_NOISE, min_size=5, max_size=5),
    suffix=st.sampled_from(["", " Inc", ", LLC", " Co.", " Corp", " Ltd."]),
    upper=st.booleans(),
)
def test_case_punctuation_spacing_and_legal_form_never_change_a_name(words, noise, suffix, upper):
    plain = " ".join(words)
    noisy = "".join(f"{word}{noise[i % 5]} " for i, word in enumerate(words)) + suffix
    noisy = noisy.upper() if upper else noisy
    assert normalise_name(noisy) == normalise_name(plain)


# --- matching one vendor ---


def test_same_name_and_address_is_exact():
    found = match(GRANITE, [GRANITE_CO, company("C-2", "Other")])
    assert (found.kind, found.candidates) == (MatchKind.EXACT, ["C-1"])


def test_no_company_by_name_or_address_is_none():
    found = match(GRANITE, [company("C-2", "Pacific Plumbing", "410 Harbor Blvd", "Oakland")])
    assert (found.kind, found.candidates) == (MatchKind.NONE, [])


def test_name_only_candidate_needs_review():
    found = match(SUMMIT_VISALIA, [company("C-3", "Summit Roofing", "12 Ridge Way", "Fresno")])
    assert (found.kind, found.candidates) == (MatchKind.AMBIGUOUS, ["C-3"])
    assert "same name but another address" in found.reason


def test_address_only_candidate_needs_review():
    found = match(GRANITE, [company("C-4", "Quarry Stoneworks", "88 Quarry Rd", "Fresno", "93706")])
    assert (found.kind, found.candidates) == (MatchKind.AMBIGUOUS, ["C-4"])
    assert "same address but another name" in found.reason


def test_two_candidate_companies_are_ambiguous():
    twins = [
        company("C-6", "Summit Roofing", "12 Ridge Way", "Fresno", "93711"),
        company("C-5", "Summit Roofing Inc"),
    ]
    found = match(SUMMIT_FRESNO, twins)
    assert (found.kind, found.candidates) == (MatchKind.AMBIGUOUS, ["C-5", "C-6"])


def test_a_company_linked_to_another_vendor_is_not_an_exact_match():
    found = match(GRANITE, [GRANITE_CO.model_copy(update={"vendor_id": "S-99"})])
    assert found.kind is MatchKind.AMBIGUOUS
    assert "already linked to vendor S-99" in found.reason


def test_two_vendors_exactly_matching_one_company_are_both_ambiguous():
    duplicate = GRANITE.model_copy(update={"vendor_id": "S-11"})
    found = match_all([GRANITE, duplicate], [GRANITE_CO])
    assert {v: m.kind for v, m in found.items()} == {
        "S-10": MatchKind.AMBIGUOUS,
        "S-11": MatchKind.AMBIGUOUS,
    }
    assert found["S-10"].reason == "vendors S-10 and S-11 all match company C-1 exactly"


def test_vendors_with_one_name_each_find_their_own_company():
    fresno = company("C-7", "Summit Roofing", "12 Ridge Way", "Fresno", "93711")
    found = match_all([SUMMIT_FRESNO, SUMMIT_VISALIA], [fresno])
    assert found["S-30"].kind is MatchKind.EXACT
    assert found["S-31"].kind is MatchKind.AMBIGUOUS


# --- refresh ---


def directory(*companies: Company, vendors=(), archived=()) -> VendorDirectory:
    return VendorDirectory(
        companies={c.company_id: c for c in companies},
        vendors={v.vendor_id: v for v in vendors},
        archived=frozenset(archived),
    )


def test_refresh_links_exact_matches_and_lists_the_rest():
    fresno = company("C-7", "Summit Roofing", "12 Ridge Way", "Fresno", "93711")
    pacific = SageVendor(vendor_id="S-20", name="Pacific Plumbing", address="410 Harbor Blvd")
    report = directory(GRANITE_CO, fresno).refresh(
        [GRANITE, pacific, SUMMIT_FRESNO, SUMMIT_VISALIA], auto_update=False
    )
    assert report.linked == {"S-10": "C-1", "S-30": "C-7"}
    assert report.directory.links == {"S-10": "C-1", "S-30": "C-7"}
    assert [m.vendor_id for m in report.review] == ["S-31"]
    assert report.unmatched == ["S-20"]


def test_refresh_skips_archived_and_inactive_vendors():
    inactive = GRANITE.model_copy(update={"status": "inactive"})
    report = directory(GRANITE_CO, vendors=[ACME], archived=["V-100"]).refresh(
        [inactive, ACME], auto_update=True
    )
    assert report.linked == {}
    assert report.inactive == ["S-10"]
    assert report.unmatched == []


def test_refresh_reports_linked_vendors_sage_no_longer_lists():
    linked = directory(GRANITE_CO.model_copy(update={"vendor_id": "S-10"}), vendors=[GRANITE])
    assert linked.refresh([], auto_update=False).gone == ["S-10"]


def moved(vendor: SageVendor) -> SageVendor:
    return vendor.model_copy(
        update={"address": "2 Granite Ave", "city": "Clovis", "telephone": "559-555-0199"}
    )


def linked_granite() -> VendorDirectory:
    start = directory(GRANITE_CO.model_copy(update={"phone": "559-555-0110"}))
    return start.refresh([GRANITE], auto_update=False).directory


def test_auto_update_on_applies_sage_address_and_phone_changes():
    report = linked_granite().refresh([moved(GRANITE)], auto_update=True)
    company = report.directory.companies["C-1"]
    assert (company.address, company.city, company.phone) == (
        "2 Granite Ave",
        "Clovis",
        "559-555-0199",
    )
    assert [c.changes for c in report.updated] == [
        {
            "address": ("88 Quarry Road", "2 Granite Ave"),
            "city": ("FRESNO", "Clovis"),
            "phone": ("559-555-0110", "559-555-0199"),
        }
    ]
    assert report.not_synced == []


def test_auto_update_off_reports_the_changes_and_keeps_the_company():
    report = linked_granite().refresh([moved(GRANITE)], auto_update=False)
    assert report.directory.companies["C-1"] == linked_granite().companies["C-1"]
    assert report.updated == []
    [change] = report.not_synced
    assert change.describe().endswith(AUTO_UPDATE_OFF)
    assert AUTO_UPDATE_OFF == "not synced: 'Vendors will be automatically updated' is off"
    assert any("not synced" in line for line in report.lines())


def test_a_change_reported_once_is_not_reported_again():
    once = linked_granite().refresh([moved(GRANITE)], auto_update=False)
    again = once.directory.refresh([moved(GRANITE)], auto_update=False)
    assert again.not_synced == []


def test_a_name_change_in_sage_is_not_followed():
    renamed = GRANITE.model_copy(update={"name": "Granite Masonry Group"})
    report = linked_granite().refresh([renamed], auto_update=True)
    assert report.directory.companies["C-1"].name == "Granite Masonry, Co."
    assert report.updated == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Summit Roofing", "Granite Masonry", "Pacific Plumbing"]),
            st.sampled_from(["12 Ridge Way", "88 Quarry Rd", ""]),
        ),
        max_size=6,
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["Summit Roofing", "Granite Masonry Co", "Acme"]),
            st.sampled_from(["12 Ridge Way", "88 Quarry Rd", ""]),
        ),
        max_size=6,
    ),
)
def test_refresh_never_links_one_company_twice_nor_a_non_exact_pair(vendor_rows, company_rows):
    vendors = [
        SageVendor(vendor_id=f"S-{i}", name=n, address=a, city="Fresno")
        for i, (n, a) in enumerate(vendor_rows)
    ]
    companies = [company(f"C-{i}", n, a, "Fresno") for i, (n, a) in enumerate(company_rows)]
    report = directory(*companies).refresh(vendors, auto_update=False)
    links = report.directory.links
    assert len(set(links.values())) == len(links)
    by_id = {v.vendor_id: v for v in vendors}
    for vendor_id, company_id in links.items():
        vendor, linked = by_id[vendor_id], report.directory.companies[company_id]
        assert vendor.name_key == linked.name_key
        assert vendor.address_key is not None and vendor.address_key == linked.address_key
    assert set(links) | {m.vendor_id for m in report.review} | set(report.unmatched) == set(by_id)


# --- link, unlink, archive, import ---


def seen() -> VendorDirectory:
    inactive = SageVendor(vendor_id="V-900", name="Defunct Drywall LLC", status="inactive")
    return directory(
        GRANITE_CO,
        company("C-2", "Summit Roofing"),
        company("C-3", "ACME Concrete", "1 Cement Way", "Riverside", "92501", vendor_id="V-100"),
        vendors=[GRANITE, SUMMIT_FRESNO, SUMMIT_VISALIA, ACME, inactive],
        archived=["S-31"],
    )


def refused(action) -> str:
    with pytest.raises(VendorRefused) as err:
        action()
    return str(err.value)


def test_a_person_links_a_reviewed_vendor():
    assert seen().link("S-30", "C-2").links == {"S-30": "C-2", "V-100": "C-3"}


def test_linking_a_pair_that_is_already_linked_changes_nothing():
    assert seen().link("V-100", "C-3") == seen()


@pytest.mark.parametrize(
    ("vendor_id", "company_id", "message"),
    [
        (
            "S-77",
            "C-2",
            "vendor S-77 is not among the vendors last read from Sage; refresh the vendor "
            "list first",
        ),
        ("S-31", "C-2", "vendor S-31 is archived; unarchive it first"),
        ("V-900", "C-2", "vendor V-900 is inactive in Sage; make it active there and refresh"),
        ("V-100", "C-2", "vendor V-100 is already linked to company C-3; unlink it first"),
        ("S-30", "C-9", "company C-9 is not in the company directory"),
        ("S-30", "C-3", "company C-3 is already linked to vendor V-100; unlink it first"),
    ],
)
def test_link_refusals(vendor_id, company_id, message):
    assert refused(lambda: seen().link(vendor_id, company_id)) == message


def test_unlink_frees_both_sides():
    unlinked = seen().unlink("V-100")
    assert unlinked.links == {}
    assert unlinked.link("S-30", "C-3").links == {"S-30": "C-3"}


def test_unlinking_a_vendor_that_is_not_linked_is_refused():
    assert refused(lambda: seen().unlink("S-10")) == "vendor S-10 is not linked to any company"


def test_an_archived_vendor_is_not_offered_for_matching_until_unarchived():
    archived = seen().unlink("V-100").archive("V-100")
    hidden = archived.refresh([ACME], auto_update=False)
    assert (hidden.linked, hidden.review, hidden.unmatched) == ({}, [], [])
    shown = archived.unarchive("V-100").refresh([ACME], auto_update=False)
    assert [m.vendor_id for m in shown.review] == ["V-100"]  # offered again, for review


def test_a_refresh_never_relinks_what_a_person_unlinked_but_a_person_may():
    unlinked = seen().unlink("V-100")
    report = unlinked.refresh([ACME], auto_update=False)
    assert report.linked == {} and report.directory.links == {}
    [review] = report.review
    assert review.candidates == ["C-3"] and "a person unlinked them" in review.reason
    relinked = report.directory.link("V-100", "C-3")
    assert relinked.links == {"V-100": "C-3"} and relinked.declined == frozenset()
    assert relinked.unlink("V-100").link("V-100", "C-3").refresh([ACME], False).linked == {}


def test_archive_refusals():
    assert refused(lambda: seen().archive("V-100")) == (
        "vendor V-100 is linked to company C-3; unlink it before archiving it"
    )
    assert "not among the vendors last read" in refused(lambda: seen().archive("S-77"))
    assert refused(lambda: seen().unarchive("S-10")) == "vendor S-10 is not archived"


def test_importing_a_vendor_adds_a_linked_company_with_its_address():
    pacific = SageVendor(
        vendor_id="S-20",
        name="Pacific Plumbing",
        address="410 Harbor Blvd",
        city="Oakland",
        state="CA",
        zip="94607",
        telephone="510-555-0120",
    )
    imported = directory(vendors=[pacific]).import_vendor("S-20")
    assert imported.companies["C-S-20"] == Company(
        company_id="C-S-20",
        name="Pacific Plumbing",
        address="410 Harbor Blvd",
        city="Oakland",
        state="CA",
        zip="94607",
        phone="510-555-0120",
        vendor_id="S-20",
    )


def test_importing_a_vendor_a_company_may_already_be_is_refused():
    assert refused(lambda: seen().import_vendor("S-10")) == (
        "vendor S-10 may already be in the directory (company C-1 has the same name and "
        "address); link it instead"
    )
    assert "link it instead" in refused(lambda: seen().import_vendor("S-30"))


@pytest.mark.parametrize(
    ("vendor_id", "message"),
    [
        ("S-31", "vendor S-31 is archived; unarchive it first"),
        ("V-900", "vendor V-900 is inactive in Sage; make it active there and refresh"),
        ("V-100", "vendor V-100 is already linked to company C-3; unlink it first"),
    ],
)
def test_import_refusals(vendor_id, message):
    assert refused(lambda: seen().import_vendor(vendor_id)) == message


def test_importing_under_a_company_id_in_use_is_refused():
    lone = SageVendor(vendor_id="S-20", name="Pacific Plumbing")
    dup = directory(company("C-1", "Other"), vendors=[lone])
    assert refused(lambda: dup.import_vendor("S-20", "C-1")) == (
        "company C-1 is already in the directory"
    )


def test_vendors_parse_from_sage_answers_with_extra_fields():
    answer = {"vendor_id": "V-300", "name": "Steel Works Inc", "status": "active", "extra": 1}
    assert SageVendor.model_validate(answer).active


# --- a company exported as a vendor is synced with it (the link registry, issue 16) ---

GLAZING = SageVendor(vendor_id="V-500", name="Northside Glazing LLC", address="7 Pane St")
EXPORTED = {"V-500": "C-5001"}
"""Company C-5001 was exported to Sage as vendor V-500 (its link lives in the registry)."""


def test_a_refresh_reports_an_exported_vendor_as_synced_never_unmatched_or_matched():
    twin = company("C-9", "Northside Glazing", "7 Pane St")  # would be an exact match
    report = directory(twin).refresh([GLAZING], auto_update=False, exported=EXPORTED)
    assert report.exported == {"V-500": "C-5001"}
    assert report.unmatched == [] and report.linked == {} and report.review == []
    assert "synced V-500 with company C-5001 (exported)" in report.lines()
    assert report.directory.links == {}  # the directory links nothing: the registry holds it
    without = directory(twin).refresh([GLAZING], auto_update=False)
    assert without.linked == {"V-500": "C-9"}  # the old reading: a second company for V-500


def test_an_exported_vendor_is_never_imported_as_a_second_company_nor_linked_to_another():
    seen_glazing = directory(company("C-2", "Summit Roofing"), vendors=[GLAZING])
    message = "vendor V-500 is synced with company C-5001 already (the company was exported"
    assert message in refused(lambda: seen_glazing.import_vendor("V-500", None, EXPORTED))
    assert message in refused(lambda: seen_glazing.link("V-500", "C-2", EXPORTED))
    assert seen_glazing.import_vendor("V-500").links == {"V-500": "C-V-500"}  # not exported
