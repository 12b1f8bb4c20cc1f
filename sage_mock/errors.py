"""Sage's error answers: a stable code for machines, Sage's own text for people.

The texts come from the vendor's troubleshooting table, so the orchestrator's error
catalogue can match them word for word.
"""

from typing import Any

NOT_FOUND = "Entity with this ID not found."
CANT_BE_BLANK = "Can't be blank."
UNAUTHORIZED = "Invalid or missing API key."
ADMIN_UNAUTHORIZED = "Invalid or missing admin key."
ADMIN_KEY_REQUIRED = (
    "The admin API takes the admin key (SAGE_ADMIN_KEY), not the API key: "
    "an API client cannot post batches, inject faults or change the quota."
)
ADMIN_OFF = "The admin API is off: start the mock with an admin key (SAGE_ADMIN_KEY)."
RATE_LIMITED = (
    "Unknown Error => You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)
IDEMPOTENCY_CONFLICT = "Idempotency-Key reused with a different request."
SERVER_ERROR = "Unknown Error => An internal server error occurred."
UNAVAILABLE = "Service is temporarily unavailable. Please try again later."
NO_DISTRIBUTIONS = "The document's codings are incomplete: The document has no distributions."
LINKED_ELSEWHERE = (
    "The prime contract has inadvertently been added to two projects in your company's "
    "Procore account."
)


class SageError(Exception):
    """A refusal answered as `{"code", "message"}` plus any extra fields (`existing`)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


def not_found() -> SageError:
    return SageError(404, "not_found", NOT_FOUND)


def unauthorized() -> SageError:
    return SageError(401, "unauthorized", UNAUTHORIZED)


def admin_unauthorized() -> SageError:
    return SageError(401, "unauthorized", ADMIN_UNAUTHORIZED)


def admin_key_required() -> SageError:
    """The orchestrator's own key on an admin call: known, and refused there."""
    return SageError(403, "admin_key_required", ADMIN_KEY_REQUIRED)


def admin_off() -> SageError:
    return SageError(403, "admin_off", ADMIN_OFF)


def rate_limited() -> SageError:
    return SageError(429, "rate_limited", RATE_LIMITED)


def idempotency_conflict() -> SageError:
    return SageError(409, "idempotency_conflict", IDEMPOTENCY_CONFLICT)


def injected_failure(status: int) -> SageError:
    """The answer of a fault: 503 says "come back later", anything else is a 500."""
    if status == 503:
        return SageError(503, "unavailable", UNAVAILABLE)
    return SageError(500, "server_error", SERVER_ERROR)


RECORD_LOCKED = "The record is in use by another user."


def record_locked() -> SageError:
    """A delete Sage refuses while someone has the record open (`locked_rate`)."""
    return SageError(423, "record_locked", RECORD_LOCKED)


def invalid_request(message: str, field: str | None = None) -> SageError:
    """A body that does not fit the wire contract at all (not one of Sage's rules)."""
    if field is None:
        return SageError(422, "invalid_request", message)
    return SageError(422, "invalid_request", message, field=field)


SCRIPTED_ANSWERS: dict[str, tuple[int, str]] = {
    "change_order_number_exists": (
        409,
        "A change order with code XXX already exists on this contract.",
    ),
    "change_order_commitment_exists": (
        409,
        "A commitment with code [XX-XXXXX-XX] already exits.",
    ),
    "code_change_not_allowed": (422, "Changing the code is not allowed."),
    "commitment_id_exists": (409, "A commitment already exists with the specified id."),
    "invalid_expense_account": (
        422,
        "Ap Invoice Api import failed with error message:  [XXXXX] is an invalid expense account.",
    ),
    "job_sync_failed": (
        422,
        "We're sorry, an error occurred when attempting to sync your Jobs. Please contact "
        "your customer support rep for assistance.",
    ),
    "job_id_exists": (409, "A job already exists with the specified id."),
    "category_not_found": (
        422,
        "No entities could be found of type [Category] with given where clause.",
    ),
    # the mock's own answers, on demand too (their real conditions exist: a wrong key, a
    # reused idempotency key, an empty field, a failing Sage, a CCO's or a budget's rules, a
    # Sage 100 company, an unknown company), for a deterministic test of any item
    "unauthorized": (401, UNAUTHORIZED),
    "idempotency_conflict": (409, IDEMPOTENCY_CONFLICT),
    "cant_be_blank": (422, CANT_BE_BLANK),
    "server_error": (500, SERVER_ERROR),
    "unavailable": (503, UNAVAILABLE),
    "rate_limited": (429, RATE_LIMITED),
    "commitment_archived": (422, "Commitment has been archived."),
    "line_modified_twice": (
        422,
        "A contract line item cannot be modified more than once on any CCO.",
    ),
    "no_items": (422, CANT_BE_BLANK),
    "invalid_request": (422, "The request does not fit the Sage API."),
    "job_in_both_systems": (
        409,
        "Job [1002] is already synced with Procore project [P-1002]. You must always add the "
        "job/project in one system and then add it to the other. You cannot create a job in "
        "both systems and then sync them at a later time.",
    ),
    "cost_code_not_standard": (
        422,
        "Cost code [16-100] is not on the standard cost code list. New cost codes must be "
        "created in your ERP system.",
    ),
    "not_supported": (422, "Sage 100 Contractor® does not support commitments."),
    "unknown_company": (404, "Company [CRE] not found."),
    # the seed's table, for any item (its rules reach them only for some fields and items)
    "field_too_long": (422, "[Name] is too long, maximum length is 30 characters."),
    "no_distributions": (422, NO_DISTRIBUTIONS),
    # a contract linked to another project between an import's search and its link (its rule:
    # the link when another project holds it)
    "linked_to_another_project": (409, LINKED_ELSEWHERE),
}
"""The seed's troubleshooting answers that no rule of the mock reaches, in the seed's words
(placeholders kept, the "already exits" typo too): `PUT /admin/faults` `refusals` makes them.
`category_not_found` is reached by a rule too (a category not on the job); scripted, it is the
seed's other cause: a category deleted and re-added in Sage, which the mock does not model."""


def scripted(code: str) -> SageError:
    status, message = SCRIPTED_ANSWERS[code]
    return SageError(status, code, message)
