"""Standard cost codes and categories (company level) and a job's cost codes (project level).

seeds/004: "Project level cost codes must be added to the project from the Company level ERP
Standard Cost Code List. New cost codes must be created in your ERP system"; "If a cost code
has been deactivated, you cannot add it to a project unless you reactivate it first"; and,
since the release note of 02/03/2025, "Any project level cost codes that are not synced will
automatically sync with your ERP when exporting your budget": `missing_from_job` is what
that refresh adds (`POST /v1/jobs/{job}/cost_codes`).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

NOT_STANDARD = (
    "Cost code [{code}] is not on the standard cost code list. New cost codes must be created "
    "in your ERP system."
)
"""The mock's `cost_code_not_standard` message (contract of issue 10)."""


class StandardCostCode(BaseModel):
    """`GET /v1/standard_cost_codes`: one code of the company's standard list."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    code: str = Field(min_length=1)
    description: str = ""
    active: bool = True


class StandardCategory(BaseModel):
    """`GET /v1/standard_categories`: a Sage category (Procore: cost type)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    category: str = Field(min_length=1)
    description: str = ""


class JobCostCode(BaseModel):
    """A cost code of a job with its categories, as `GET /v1/jobs/{job}` lists them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    code: str = Field(min_length=1)
    description: str = ""
    categories: list[str] = Field(default_factory=list)


Pair = tuple[str, str]
"""(cost code, category)."""


def pairs(codes: Iterable[JobCostCode]) -> set[Pair]:
    return {(code.code, category) for code in codes for category in code.categories}


class CostCodeRefresh(BaseModel):
    """What changed between two cost code lists (before and after a refresh)."""

    model_config = ConfigDict(frozen=True)

    added_codes: list[str] = Field(default_factory=list)
    removed_codes: list[str] = Field(default_factory=list)
    added_categories: list[Pair] = Field(
        default_factory=list, description="new categories on codes that were there before"
    )
    removed_categories: list[Pair] = Field(
        default_factory=list, description="categories gone from codes that are still there"
    )

    @classmethod
    def between(
        cls, before: Iterable[JobCostCode], after: Iterable[JobCostCode]
    ) -> CostCodeRefresh:
        old = {code.code: set(code.categories) for code in before}
        new = {code.code: set(code.categories) for code in after}
        kept = old.keys() & new.keys()
        return cls(
            added_codes=sorted(new.keys() - old.keys()),
            removed_codes=sorted(old.keys() - new.keys()),
            added_categories=sorted((c, cat) for c in kept for cat in new[c] - old[c]),
            removed_categories=sorted((c, cat) for c in kept for cat in old[c] - new[c]),
        )

    @property
    def unchanged(self) -> bool:
        return not (
            self.added_codes
            or self.removed_codes
            or self.added_categories
            or self.removed_categories
        )

    def lines(self) -> list[str]:
        out = [f"added cost code {code}" for code in self.added_codes]
        out += [f"removed cost code {code}" for code in self.removed_codes]
        out += [f"added category {cat} to {code}" for code, cat in self.added_categories]
        out += [f"removed category {cat} from {code}" for code, cat in self.removed_categories]
        return out or ["no change"]


class CostCodeRefused(ValueError):
    """A wanted cost code or category the standard lists do not offer."""


def missing_from_job(job_codes: Iterable[JobCostCode], wanted: Iterable[Pair]) -> list[JobCostCode]:
    """The cost codes and categories of `wanted` the job lacks, grouped by code, sorted.

    Descriptions are left empty here; `with_standard_descriptions` fills them in.
    """
    have = pairs(job_codes)
    missing: dict[str, set[str]] = {}
    for code, category in wanted:
        if (code, category) not in have:
            missing.setdefault(code, set()).add(category)
    return [
        JobCostCode(code=code, categories=sorted(categories))
        for code, categories in sorted(missing.items())
    ]


def with_standard_descriptions(
    missing: Iterable[JobCostCode],
    standard_codes: Iterable[StandardCostCode],
    standard_categories: Iterable[StandardCategory],
) -> list[JobCostCode]:
    """The refresh body, checked against the standard lists the way Sage checks it.

    Refused like Sage refuses it: a code not on the list or inactive (seeds/004: "If a cost
    code has been deactivated, you cannot add it to a project unless you reactivate it
    first"), or a category Sage does not have.
    """
    codes = {code.code: code for code in standard_codes}
    categories = {category.category for category in standard_categories}
    out = []
    for wanted in missing:
        standard = codes.get(wanted.code)
        if standard is None or not standard.active:
            raise CostCodeRefused(NOT_STANDARD.format(code=wanted.code))
        unknown = sorted(set(wanted.categories) - categories)
        if unknown:
            raise CostCodeRefused(
                f"Category [{', '.join(unknown)}] of cost code [{wanted.code}] is not a "
                "standard category."
            )
        out.append(wanted.model_copy(update={"description": standard.description}))
    return out
