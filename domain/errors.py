"""The Sage error catalogue: what each Sage answer means and what this tool does about it.

Sage's messages are cryptic and Procore's answer to most of them is "contact ERP
Support". Each code the (mock) Sage answers with is mapped here to the message text,
its cause and solution in plain words (the troubleshooting table of the Procore +
Sage 300 CRE® connector documentation) and the remedy the orchestrator applies on its
own, so `status` and the UI can show a person what went wrong and what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel

RETRYABLE_HTTP_STATUSES = (500, 502, 503, 504)
"""HTTP statuses a Sage call may be retried on (429 is retried too, after Retry-After)."""


class Remedy(StrEnum):
    """What the orchestrator does on its own when a Sage call fails with a code."""

    # transient: retried automatically
    RETRY = "retry"
    # an identical record already exists in Sage: link it, count as success
    LINK = "link"
    # undo completed steps, then export_failed, waiting for a person
    COMPENSATE = "compensate"
    # nothing was written; export_failed until a person fixes the cause and retries
    WAIT_FOR_PERSON = "wait_for_person"


class SageError(BaseModel, frozen=True):
    """One Sage error as a person should see it next to a failed item.

    A LINK remedy applies only when the existing record's content matches what was
    sent; a duplicate that differs is a business failure and is compensated.
    """

    code: str  # stable snake_case code, as the mock answers
    retryable: bool
    message: str  # Sage's message text, as in the seed (placeholders kept)
    cause: str
    solution: str
    remedy: Remedy
    absent: bool = False
    """Sage has no such record (or company): a lookup finds nothing, an undo is already done."""


def _transient(code: str, message: str, cause: str, solution: str) -> SageError:
    return SageError(
        code=code,
        retryable=True,
        message=message,
        cause=cause,
        solution=solution,
        remedy=Remedy.RETRY,
    )


def _refusal(
    code: str, message: str, cause: str, solution: str, remedy: Remedy, absent: bool = False
) -> SageError:
    return SageError(
        code=code,
        retryable=False,
        message=message,
        cause=cause,
        solution=solution,
        remedy=remedy,
        absent=absent,
    )


_DATA_ISSUE = "This error is due to a data issue within the integration."
_CONTACT_SUPPORT = "Contact ERP Support for assistance."
_CONFIRM_WITH_SUPPORT = "Contact ERP Support to confirm steps to resolution."
_LINKED = (
    "This tool links an existing {what} whose content matches what it sent and counts the "
    "export as done, so only a {what} that differs needs a person."
)

_ENTRIES: tuple[SageError, ...] = (
    # --- Transport and quota: retried on their own --------------------------------------
    _transient(
        "rate_limited",
        "Unknown Error => You have surpassed the max number of requests for an hour. "
        "Please wait until your limit resets.",
        "You have run into API rate limits.",
        "Contact ERP Support for assistance. This tool waits until the limit resets "
        "(Sage's Retry-After) and retries on its own, so a person is needed only if it "
        "keeps happening.",
    ),
    _transient(
        "server_error",
        "Internal server error.",
        "Sage failed while handling the request; the write may or may not have been applied.",
        "This tool retries on its own with the same idempotency key, so a write Sage already "
        "applied is not applied twice. If it keeps failing, contact ERP Support with the item "
        "ID and this message.",
    ),
    _transient(
        "unavailable",
        "Service temporarily unavailable.",
        "Sage, or the connection between this tool and Sage, is down for a moment.",
        "This tool retries on its own until Sage answers again. If it keeps failing, contact "
        "ERP Support with the item ID and this message.",
    ),
    _transient(
        "timeout",
        "Sage did not answer in time.",
        "The request timed out or the connection was closed before Sage answered; the write "
        "may or may not have been applied.",
        "This tool retries on its own with the same idempotency key, so a write Sage already "
        "applied is not applied twice. If it keeps failing, contact ERP Support with the item "
        "ID and this message.",
    ),
    # --- Access and this tool's own requests --------------------------------------------
    _refusal(
        "unauthorized",
        "Invalid or missing API key.",
        "The API key this tool sends to Sage is missing or wrong, so Sage refused every call.",
        "Set the correct Sage API key in the worker's configuration and restart the worker, "
        "then retry the export. Contact ERP Support if the key should be valid.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "idempotency_conflict",
        "Idempotency-Key reused with a different request.",
        "This tool sent a different request under an idempotency key it had already used, so "
        "Sage refused it rather than guess which request was meant.",
        "Nothing was written. Retry the export: a retry is a new attempt with new idempotency "
        "keys. If it happens again, contact ERP Support with the item ID and this message.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "invalid_path",
        "The Sage path [path] is not a path of Sage's API; nothing was sent.",
        "A Sage ID that is not a Sage code (a slash, '..', '?' or '#' in it) reached a call to "
        "Sage; this tool refused the call before it left (ours, not the seed's).",
        "Nothing was written. Correct the Sage ID in the item file or the export fields "
        "(letters, digits, '-', '.' and '_'), then retry the export.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "record_locked",
        "The record is in use by another user.",
        "Someone has the record open in Sage, so Sage refused to change or delete it just now.",
        "Ask whoever has the record open in Sage to close it; then an ERP Admin runs "
        "starter.py reset ITEM --as USER to undo what the failed export left, or retries.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "export_cancelled",
        "The export was cancelled in Temporal; Sage kept [N] step(s) it refused to undo.",
        "The item was cancelled in Temporal while its export ran; this tool undid what it had "
        "written, but Sage refused some undos (ours, not the seed's).",
        "An ERP Admin runs starter.py reset ITEM --as USER to undo the leftovers; the item can "
        "then be cancelled or sent again.",
        Remedy.WAIT_FOR_PERSON,
    ),
    # --- CHANGE ORDER packages ----------------------------------------------------------
    _refusal(
        "change_order_number_exists",
        "A change order with code XXX already exists on this contract.",
        "The change order number entered in the ERP tool is already in use on this contract "
        "in Sage 300 CRE®.",
        "Check this contract in Sage 300 CRE® to verify the next available change order "
        "number for use. Retry the export with the next available number. If the item is not "
        "in Sage 300 CRE®: take a screenshot of the contract in Sage and contact ERP Support "
        "for further info.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "job_closed",
        "Job has been closed.",
        "The job is in a 'Closed' status in Sage 300 CRE®.",
        "Reopen the job in Sage 300 CRE®. Then, retry the export. If the issue persists, "
        "contact ERP Support and provide a screenshot of the Sage 300 CRE® Job in an Open "
        "status.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "commitment_change_order_exists",
        "A commitment change order already exists with the specified id.",
        "The commitment change order ID entered in the ERP tool already exists in Sage 300 "
        "CRE®. Commitment change order IDs need to be globally unique.",
        "Check if the commitment change order appears in Sage 300 CRE® with expected "
        "transaction information. If all of the commitment change order data has made it to "
        "Sage 300 CRE®, but shows as failed in Procore, the commitment change order needs to "
        "be linked by ERP Support. Contact ERP Support and provide a screenshot of the "
        "commitment change order. " + _LINKED.format(what="commitment change order"),
        Remedy.LINK,
    ),
    _refusal(
        "contract_item_exists",
        "A contract item already exists on this contract with the specified code.",
        "This can happen if the line item is not marked as synced in Procore, if you modify "
        "contract items in Sage 300 CRE®, or if the prime contract change order is reset.",
        _CONFIRM_WITH_SUPPORT + " " + _LINKED.format(what="contract item"),
        Remedy.LINK,
    ),
    _refusal(
        "linked_to_another_project",
        "The prime contract has inadvertently been added to two projects in your company's "
        "Procore account.",
        "The Sage contract is already synced to another Procore project (seeds/001).",
        "Import it into the project it belongs to; remove the other project's link in Sage "
        "first if that one is wrong.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "commitment_archived",
        "Commitment has been archived.",
        "The issue may be either the parent contract has been archived in Sage 300 CRE® or "
        "there is an issue with one of the commitment schedule of value items on the parent "
        "commitment itself not being synced properly with Sage 300 CRE®.",
        _CONFIRM_WITH_SUPPORT + " Take a screenshot of the line items on the commitment in "
        "'Job Cost > Tasks > Commitments'.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "line_modified_twice",
        "A contract line item cannot be modified more than once on any CCO.",
        "Sage 300 CRE® has a limitation where a contract line item cannot be modified more "
        "than once on any CCO, and the change order changes one commitment line twice.",
        "This tool sums several modifications of the same commitment line into a single "
        "(aggregated) line before it sends a CCO, so this answer means the CCO reached Sage "
        "another way. Contact ERP Support to confirm steps to resolution.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "change_order_commitment_exists",
        "A commitment with code [XX-XXXXX-XX] already exits.",
        "This error may occur due to the following: a commitment was deleted and re-created, "
        "a failed previous attempt at exporting, or a different commitment exists with the "
        "same code.",
        _CONFIRM_WITH_SUPPORT,
        Remedy.COMPENSATE,
    ),
    # --- CONTRACTS (commitments) --------------------------------------------------------
    _refusal(
        "commitment_exists",
        "A commitment with code [XX-XXXXX-XX] already exists. This error may occur due to the "
        "following: the commitment was deleted and re-created, a failed previous attempt at "
        "exporting, or a different commitment with the same code exists.  Contact ERP "
        "Support to confirm steps to resolution.",
        "A commitment with the same code already exists in Sage 300 CRE®: the commitment was "
        "deleted and re-created, a failed previous attempt at exporting, or a different "
        "commitment with the same code exists.",
        _CONFIRM_WITH_SUPPORT + " " + _LINKED.format(what="commitment"),
        Remedy.LINK,
    ),
    _refusal(
        "vendor_inactive",
        "Vendor is inactive/has been archived.",
        "The vendor on the failing contract has been set to 'Inactive' in Sage 300 CRE®.",
        "Uncheck the 'Inactive' option on this vendor in Sage 300 CRE® and verify that the "
        "vendor is still synced with Procore. If it is no longer synced, contact ERP Support "
        "to have the vendors re-linked so the contract will export. Then retry the export.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "code_change_not_allowed",
        "Changing the code is not allowed.",
        "This error indicates the item has been attempted multiple times and the previous "
        "export attempts need to be cleared.",
        _CONFIRM_WITH_SUPPORT + " This tool clears previous export attempts itself: "
        "`starter.py reset ITEM` undoes them, after which the item can be sent again.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "category_not_found",
        "No entities could be found of type [Category] with given where clause.",
        "The category being used on the commitment item is no longer on the job in Sage 300 "
        "CRE®. This error is related to cost code and/or category items which have been "
        "deleted and/or re-added from Sage 300 CRE®.",
        _CONFIRM_WITH_SUPPORT,
        Remedy.COMPENSATE,
    ),
    _refusal(
        "commitment_id_exists",
        "A commitment already exists with the specified id.",
        "Commitments will fail to export from Procore to Sage 300 CRE® if an existing "
        "commitment with the same code already exists in the hh2 database. This can occur if "
        "a commitment was created directly in Sage 300 CRE®, even if it was later deleted.",
        "Review the ERP Support FAQ on this error for the steps to resolve this issue.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "no_items",
        "Can't be blank.",
        "The commitment has no line items and Sage 300 CRE® needs at least one. " + _DATA_ISSUE,
        "Add at least one line item to the item, then send it again. " + _CONTACT_SUPPORT,
        Remedy.COMPENSATE,
    ),
    # --- INVOICES -----------------------------------------------------------------------
    _refusal(
        "invoice_exists",
        "There are errors in the document's codings. Errors: Document already exists for "
        "specified vendor and code [XX-XXXXXX-XX].",
        "There is already an invoice in Sage 300 CRE® with the same code for the vendor.",
        "Confirm that you are using a unique invoice ID. If you are using a unique invoice "
        "ID, contact ERP Support for assistance with rectifying any data discrepancies "
        "between the systems. " + _LINKED.format(what="invoice"),
        Remedy.LINK,
    ),
    _refusal(
        "gl_period_closed",
        "Ap Invoice Api import failed with error message: GL period closed.  Entry not "
        "allowed. (MM\\DD\\YYYY).",
        "Invoices will not post to a closed GL period in Sage 300 CRE®.",
        "Re-open the GL period and contact ERP Support to reset the failed export attempt. "
        "This tool resets the failed attempt itself (the completed steps are undone at once), "
        "so after re-opening the period an accounting approver only needs to retry the export.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "no_distributions",
        "The document's codings are incomplete: The document has no distributions.",
        "In most cases, this error is because of the result of a zero-dollar invoice. This "
        "frequently happens when the Work Completed and New Materials Stored fields zero each "
        "other out. Once the lines reach a net zero, the integration doesn't send any lines "
        "over for $0. In this case Procore thinks that it doesn't have anything to export.",
        "Please correct the zero-dollar invoice.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "over_tolerance",
        "Ap Invoice Api import failed with error message: Commitment XXXXXXX - amount invoiced "
        "exceeds approved amount plus tolerance.",
        "This error occurs due to a Sage 300 CRE® setting and is not due to any settings "
        "within Procore or the integration itself. This means that the item has gone over the "
        "amount allowed by Sage 300 CRE® or the item is attempting to be overbilled and thus "
        "rejected.",
        "Please check the tolerance setup in Sage 300 CRE® and adjust accordingly. Review the "
        "Sage 300 CRE® Knowledgebase support site for further assistance.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "invalid_expense_account",
        "Ap Invoice Api import failed with error message:  [XXXXX] is an invalid expense account.",
        "Sage 300 CRE® requires an expense account in the distribution. Since there's no "
        "expense account/[GL Account], Sage 300 CRE® is rejecting the invoice. This error is "
        "typically caused by a feature in Sage 300 CRE® called 'control accounts' that is "
        "turned on.",
        "Review the Sage 300 CRE® Knowledgebase support site for further assistance.",
        Remedy.COMPENSATE,
    ),
    # --- ERP CONNECTION -----------------------------------------------------------------
    _refusal(
        "not_found",
        "Entity with this ID not found.",
        _DATA_ISSUE + " A record the item names (a job or a vendor, say) is not in Sage.",
        _CONTACT_SUPPORT,
        Remedy.COMPENSATE,
        absent=True,
    ),
    _refusal(
        "cant_be_blank",
        "Can't be blank.",
        _DATA_ISSUE + " A field Sage 300 CRE® requires was sent empty.",
        _CONTACT_SUPPORT,
        Remedy.COMPENSATE,
    ),
    _refusal(
        "job_sync_failed",
        "We're sorry, an error occurred when attempting to sync your Jobs. Please contact "
        "your customer support rep for assistance.",
        _DATA_ISSUE,
        _CONTACT_SUPPORT,
        Remedy.WAIT_FOR_PERSON,
    ),
    # --- PROJECTS (jobs) and field lengths -----------------------------------------------
    _refusal(
        "job_exists",
        "A job with that code already exists.",
        "A job with the same code already exists in Sage 300 CRE®.",
        "You will need to contact ERP Support and confirm that the duplicate job no longer "
        "exists in both Sage 300 CRE® JC and PJ. Afterwards, ERP Support can reconcile the "
        "data, and you can then reject and re-export the job from Procore. "
        + _LINKED.format(what="job"),
        Remedy.LINK,
    ),
    _refusal(
        "job_id_exists",
        "A job already exists with the specified id.",
        "Job IDs have to be globally unique.",
        "Please verify that the job ID being used is unique.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "invalid_request",
        "The request does not fit the Sage API.",
        "Sage could not read the request this tool sent: a field was missing, empty, of the "
        "wrong kind, or listed twice. " + _DATA_ISSUE,
        "Check the item for an empty or repeated value (a cost code listed twice, say), edit "
        "it and send it again. " + _CONTACT_SUPPORT,
        Remedy.COMPENSATE,
    ),
    # --- SUB JOBS, COMPANIES, BUDGETS (Things to Know; the mock's words, the seed's rules) -
    _refusal(
        "extra_exists",
        "An extra with that code already exists on this job.",
        "An extra (sub job) with the same code already exists on the Sage 300 CRE® job.",
        "Check the job's extras in Sage 300 CRE®. If it is another sub job, retry the export "
        "with an unused SubJob ID (the accounting approver may change the prefilled value). "
        + _LINKED.format(what="extra"),
        Remedy.LINK,
    ),
    _refusal(
        "vendor_exists",
        "A vendor with that ID already exists.",
        "A vendor with the same ERP Company ID already exists in Sage 300 CRE® Accounts Payable.",
        "If it is the same company, link the Sage 300 CRE® vendor to the Procore company "
        "instead of exporting it (before adding a company, first try to link the vendors "
        "that already exist); otherwise retry the export with an unused ERP Company ID. "
        + _LINKED.format(what="vendor"),
        Remedy.LINK,
    ),
    _refusal(
        "budget_locked",
        "The budget of job [XXXX] has already been exported to Sage 300 CRE® and is locked. "
        "Use a budget modification to change it.",
        "After exporting a Procore budget to Sage 300 CRE®, the budget is locked: the job "
        "already holds the original estimate of an earlier budget export.",
        "Change the budget with a budget modification (it reaches Sage as approved estimate "
        "changes), then reject this budget export. This tool links an earlier export of the "
        "same budget whose lines match what it sent, so only a different budget needs a "
        "person.",
        Remedy.LINK,
    ),
    _refusal(
        "field_too_long",
        "[Field] is too long, maximum length is N characters.",
        "The value you entered has more characters than Sage 300 CRE® allows for this field "
        "(for example [Name] 30, [AddressCity] 15, [AddressZip] 10, [Commitment ID] 12, "
        "[Description] 30).",
        "Enter a value no longer than the maximum length named in the message. Then edit and "
        "re-send the item, or retry the export with the shortened export field.",
        Remedy.COMPENSATE,
    ),
    # --- both Sage systems, and the import direction (sage_mock/API.md) ----------------
    _refusal(
        "cost_code_not_standard",
        "Cost code [07-100] is not on the standard cost code list. New cost codes must be "
        "created in your ERP system.",
        "Before a budget export, the budget's cost codes the Sage job lacks are added to it "
        "from the company's standard cost code list (release note of 02/03/2025); this code "
        "is not on that list, or it has been deactivated.",
        "Create the cost code in your ERP system (or reactivate it), refresh the standard "
        "cost codes, then retry the export; or edit the budget to use a standard code.",
        Remedy.COMPENSATE,
    ),
    _refusal(
        "job_in_both_systems",
        "Job [3001] is already synced with Procore project [P-1004]. You must always add the "
        "job/project in one system and then add it to the other. You cannot create a job in "
        "both systems and then sync them at a later time.",
        "The Sage job is synced with a Procore project already, or it was created in Sage by "
        "a project export from Procore.",
        "Use the project the job is synced with. A job is added in one system and then to "
        "the other: never both.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "not_supported",
        "Sage 100 Contractor® does not support <feature>.",
        "The project's Sage company runs Sage 100 Contractor®, which has no notion of this "
        "item (sub jobs, prime contract change orders and prime contract imports are Sage "
        "300 CRE® features); the project's `erp` setting does not match its Sage company.",
        "Set the project's `erp` and `sage_company` to the Sage system its job lives in, "
        "then reject the item: its ERP cannot take it.",
        Remedy.WAIT_FOR_PERSON,
    ),
    _refusal(
        "unknown_company",
        "Company [X] not found.",
        "The project's `sage_company` names a Sage company that does not exist.",
        "Correct `sage_company` in the project settings (starter.py settings apply FILE), "
        "then retry the export.",
        Remedy.WAIT_FOR_PERSON,
        absent=True,
    ),
)


def _by_code(entries: Iterable[SageError]) -> Mapping[str, SageError]:
    catalogue: dict[str, SageError] = {}
    for entry in entries:
        if entry.code in catalogue:
            raise ValueError(f"duplicate Sage error code in the catalogue: {entry.code}")
        catalogue[entry.code] = entry
    return MappingProxyType(catalogue)


CATALOGUE: Mapping[str, SageError] = _by_code(_ENTRIES)
"""Every Sage error code this tool knows -> what it means and what is done about it."""

UNKNOWN_CAUSE = "Sage answered with an error this tool does not know."
UNKNOWN_SOLUTION = "Contact ERP Support with the item ID and this message."


def explain(code: str, message: str | None = None) -> SageError:
    """The catalogue entry for `code`, carrying Sage's actual `message` when given.

    Sage's real text names the record (a commitment code, a field and its limit), so the
    message a person sees is the one Sage sent; cause, solution and remedy come from the
    catalogue. An unknown code is never retried: a person must look at it.
    """
    entry = CATALOGUE.get(code)
    if entry is None:
        return SageError(
            code=code,
            retryable=False,
            message=message or f"Sage answered with the unknown error code {code!r}.",
            cause=UNKNOWN_CAUSE,
            solution=UNKNOWN_SOLUTION,
            remedy=Remedy.WAIT_FOR_PERSON,
        )
    if message:
        return entry.model_copy(update={"message": message})
    return entry


# --- what the saga asks ---


class StepOutcome(StrEnum):
    """What an export does when one of its Sage calls fails with a code."""

    LINK = "link"  # the identical record is there: take it, go on
    COMPENSATE = "compensate"  # undo the steps done, then export_failed (a person decides)


class UndoOutcome(StrEnum):
    """What an undo (compensation or reset) that Sage refused with a code means."""

    DONE = "done"  # the record is gone already
    LEFT_OVER = "left_over"  # still in Sage: `reset` must undo it


def on_step_failure(code: str, content_matches: bool) -> StepOutcome:
    """A step's refusal: linked when the catalogue says the code is "already exists" and the
    record Sage holds says everything we sent; otherwise the export is undone. (Transient codes
    never reach here: the activity retries them.)"""
    if explain(code).remedy is Remedy.LINK and content_matches:
        return StepOutcome.LINK
    return StepOutcome.COMPENSATE


def on_undo_failure(code: str) -> UndoOutcome:
    """An undo's refusal: done when Sage has no such record any more, else left over."""
    return UndoOutcome.DONE if explain(code).absent else UndoOutcome.LEFT_OVER


def means_absent(code: str) -> bool:
    """Does `code` say Sage has no such record (or company)? A lookup then finds nothing."""
    return explain(code).absent
