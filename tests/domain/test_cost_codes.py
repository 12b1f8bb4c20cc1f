"""Cost codes: what a refresh changes, and what the refresh before a budget export adds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cost_codes import (
    CostCodeRefresh,
    CostCodeRefused,
    JobCostCode,
    StandardCategory,
    StandardCostCode,
    missing_from_job,
    pairs,
    with_standard_descriptions,
)

JOB_1001 = [
    JobCostCode(code="01-100", description="General Conditions", categories=["L", "M", "O"]),
    JobCostCode(code="03-300", description="Concrete", categories=["L", "M", "S"]),
]
STANDARD = [
    StandardCostCode(code="01-100", description="General Conditions"),
    StandardCostCode(code="02-200", description="Demolition"),
    StandardCostCode(code="03-300", description="Concrete"),
    StandardCostCode(code="07-100", description="Roofing"),
    StandardCostCode(code="10-100", description="Specialties", active=False),
]
CATEGORIES = [
    StandardCategory(category=c, description=d)
    for c, d in [
        ("L", "Labor"),
        ("M", "Material"),
        ("S", "Subcontract"),
        ("O", "Other"),
        ("E", "Equipment"),
    ]
]


def test_the_budget_asks_only_for_what_the_job_lacks():
    wanted = [("01-100", "L"), ("03-300", "E"), ("07-100", "S"), ("07-100", "L"), ("07-100", "S")]
    assert missing_from_job(JOB_1001, wanted) == [
        JobCostCode(code="03-300", categories=["E"]),
        JobCostCode(code="07-100", categories=["L", "S"]),
    ]


def test_a_job_with_every_wanted_code_needs_no_refresh():
    assert missing_from_job(JOB_1001, [("01-100", "O"), ("03-300", "S")]) == []


def test_the_refresh_body_carries_the_standard_descriptions():
    missing = missing_from_job(JOB_1001, [("07-100", "S"), ("02-200", "L")])
    assert with_standard_descriptions(missing, STANDARD, CATEGORIES) == [
        JobCostCode(code="02-200", description="Demolition", categories=["L"]),
        JobCostCode(code="07-100", description="Roofing", categories=["S"]),
    ]


@pytest.mark.parametrize("code", ["99-999", "10-100"])
def test_a_code_not_on_the_standard_list_or_inactive_is_refused_in_sages_words(code):
    with pytest.raises(CostCodeRefused) as err:
        with_standard_descriptions(missing_from_job(JOB_1001, [(code, "L")]), STANDARD, CATEGORIES)
    assert str(err.value) == (
        f"Cost code [{code}] is not on the standard cost code list. New cost codes must be "
        "created in your ERP system."
    )


def test_a_category_that_is_not_standard_is_refused():
    with pytest.raises(CostCodeRefused, match=r"Category \[4\] of cost code \[07-100\]"):
        with_standard_descriptions(
            missing_from_job(JOB_1001, [("07-100", "4")]), STANDARD, CATEGORIES
        )


def test_a_refresh_diff_names_added_and_removed_codes_and_categories():
    after = [
        JobCostCode(code="01-100", categories=["L", "O", "E"]),
        JobCostCode(code="07-100", categories=["S"]),
    ]
    diff = CostCodeRefresh.between(JOB_1001, after)
    assert diff.added_codes == ["07-100"]
    assert diff.removed_codes == ["03-300"]
    assert diff.added_categories == [("01-100", "E")]
    assert diff.removed_categories == [("01-100", "M")]
    assert "added category E to 01-100" in diff.lines()


def test_the_same_list_is_no_change():
    diff = CostCodeRefresh.between(JOB_1001, list(reversed(JOB_1001)))
    assert diff.unchanged
    assert diff.lines() == ["no change"]


def test_standard_lists_parse_from_sage_answers():
    assert not StandardCostCode.model_validate(
        {"code": "10-100", "description": "Specialties", "active": False}
    ).active
    assert (
        StandardCategory.model_validate({"category": "1", "description": "Material"}).category
        == "1"
    )


_CODES = st.sampled_from(["01-100", "03-300", "07-100", "09-000"])
_CATS = st.sampled_from(["L", "M", "S", "1", "2"])
_JOB = st.dictionaries(_CODES, st.sets(_CATS)).map(
    lambda d: [JobCostCode(code=c, categories=sorted(cats)) for c, cats in d.items()]
)


@given(job=_JOB, wanted=st.lists(st.tuples(_CODES, _CATS)))
def test_after_adding_what_is_missing_the_job_has_everything_wanted(job, wanted):
    added = missing_from_job(job, wanted)
    assert pairs(added).isdisjoint(pairs(job))
    assert pairs(job) | pairs(added) >= set(wanted)
    assert pairs(added) <= set(wanted)


@given(before=_JOB, after=_JOB)
def test_a_diff_accounts_for_every_pair(before, after):
    diff = CostCodeRefresh.between(before, after)
    gained = pairs(after) - pairs(before)
    lost = pairs(before) - pairs(after)
    assert set(diff.added_categories) <= gained
    assert set(diff.removed_categories) <= lost
    assert diff.unchanged == (
        {c.code for c in before} == {c.code for c in after} and not gained and not lost
    )
