"""Sage companies: which one a request is for, and what a Sage 100 Contractor company refuses.

One mock serves several Sage companies, each of one ERP flavour: Sage 300 CRE® (seeds/004)
or Sage 100 Contractor® (seeds/002). A request names its company in the `X-Sage-Company`
header; the gateway reads it once and sets `current_company` for the rest of the request,
so the records layer scopes jobs and vendors to it without every route passing it along.
Without the header a request is for the default company, exactly as before companies existed.
"""

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from sage_mock.errors import SageError

COMPANY_HEADER = "x-sage-company"
DEFAULT_COMPANY = "CRE"

Erp = Literal["sage300", "sage100"]

ERP_TITLES: dict[str, str] = {
    "sage300": "Sage 300 CRE®",
    "sage100": "Sage 100 Contractor®",
}

UNKNOWN_COMPANY = "Company [{company}] not found."
NOT_SUPPORTED = "{erp} does not support {feature}."

_current: ContextVar[str] = ContextVar("sage_company", default=DEFAULT_COMPANY)


@dataclass(frozen=True)
class Company:
    company_id: str
    name: str
    erp: Erp


def current_company() -> str:
    """The company of the request being served (the default one outside a request)."""
    return _current.get()


def serve_as(company_id: str) -> object:
    """Make `company_id` the current company; hand the token back to `stop_serving`."""
    return _current.set(company_id)


def stop_serving(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


EXTRAS = "sub jobs (extras)"
PCCOS = "prime contract change orders"
PRIME_CONTRACT_IMPORT = "prime contract import (Contracts application)"
VENDOR_INSURANCE = "vendor insurance (AP Vendor Insurance)"

SAGE100_REFUSALS: tuple[tuple[frozenset[str], re.Pattern[str], str], ...] = tuple(
    (frozenset(methods.split("|")), re.compile(pattern), feature)
    for methods, pattern, feature in (
        ("POST", r"/v1/extras/?", EXTRAS),
        ("GET", r"/v1/extras/.*", EXTRAS),
        ("POST", r"/v1/(estimate_changes|schedule_value_changes)/?", PCCOS),
        ("POST|DELETE", r"/v1/contracts/[^/]+/[^/]+/items(/.*)?", PCCOS),
        ("GET", r"/v1/contracts(/.*)?", PRIME_CONTRACT_IMPORT),
        ("GET|PUT", r"/v1/prime_contracts(/.*)?", PRIME_CONTRACT_IMPORT),
        ("GET", r"/v1/vendors/[^/]+/insurance/?", VENDOR_INSURANCE),
    )
)
"""What Sage 100 Contractor® has no notion of: (methods, path, feature named in the refusal)."""


def refused_feature(company: Company, method: str, path: str) -> str | None:
    """The feature this call needs that the company's ERP lacks, if any."""
    if company.erp != "sage100":
        return None
    for methods, pattern, feature in SAGE100_REFUSALS:
        if method.upper() in methods and pattern.fullmatch(path):
            return feature
    return None


def unknown_company(company_id: str) -> SageError:
    return SageError(404, "unknown_company", UNKNOWN_COMPANY.format(company=company_id))


def not_supported(company: Company, feature: str) -> SageError:
    message = NOT_SUPPORTED.format(erp=ERP_TITLES[company.erp], feature=feature)
    return SageError(422, "not_supported", message)
