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

    `solution` is ours: what this tool did, then the one thing left for `person` (where in
    Sage, which `starter.py` command). `commands` are those commands, the placeholders ITEM,
    PROJECT, USER, FILE, VENDOR, COMPANY, CONTRACT, NEW_ID in capitals; every one parses with
    starter.py (tests/domain/test_catalogue_promises.py). `seed_solution` is the vendor's own
    advice, quoted (it often ends at "Contact ERP Support"; ours never does).
    """

    code: str  # stable snake_case code, as the mock answers
    retryable: bool
    message: str  # Sage's message text, as in the seed (placeholders kept)
    cause: str
    solution: str
    remedy: Remedy
    absent: bool = False
    """Sage has no such record (or company): a lookup finds nothing, an undo is already done."""
    person: str = ""
    """Who acts next ("" when nobody needs to: the tool retries or links on its own)."""
    commands: tuple[str, ...] = ()
    seed_solution: str = ""

    @property
    def what_this_tool_did(self) -> str:
        """What the orchestrator already did about it, from the remedy it applies."""
        return _DID[self.remedy]


_DID = {
    Remedy.RETRY: "retried the call on its own with the same idempotency key (nothing written "
    "twice); the item goes on by itself once Sage answers",
    Remedy.LINK: "linked the record Sage already held where it was identical to what was sent; "
    "a record that differs was not linked, and the steps this export wrote were undone",
    Remedy.COMPENSATE: "undid the steps this export had written in Sage (newest first), so a "
    "retry starts clean",
    Remedy.WAIT_FOR_PERSON: "stopped before writing anything more; nothing of this attempt is "
    "left in Sage unless `status` lists a leftover",
}


def _entry(
    code: str,
    message: str,
    cause: str,
    solution: str,
    remedy: Remedy,
    *,
    person: str = "",
    commands: tuple[str, ...] = (),
    seed: str = "",
    absent: bool = False,
) -> SageError:
    return SageError(
        code=code,
        retryable=remedy is Remedy.RETRY,
        message=message,
        cause=cause,
        solution=solution,
        remedy=remedy,
        absent=absent,
        person=person,
        commands=commands,
        seed_solution=seed,
    )


_DATA_ISSUE = "This error is due to a data issue within the integration."
_CONTACT_SUPPORT = "Contact ERP Support for assistance."
_CONFIRM_WITH_SUPPORT = "Contact ERP Support to confirm steps to resolution."

APPROVER = "an accounting approver"
ERP_ADMIN = "an ERP Admin"
TOOL_ADMIN = "a tool admin of the item"
ACCOUNTANT = "an accountant in Sage 300 CRE®"
OPERATOR = "the operator who runs the worker"

RETRY = "starter.py retry ITEM --as USER"
RETRY_NEW_ID = "starter.py retry ITEM --field sage_id=NEW_ID --as USER"
LINK_EXISTING = "starter.py link-existing ITEM --as USER"
EXPORT_AS = "starter.py export-as ITEM NEW_ID --as USER"
RESET = "starter.py reset ITEM --to sent --as USER"
REJECT = 'starter.py reject ITEM --reason "..." --as USER'
EDIT = "starter.py edit ITEM FILE --as USER"
RESEND = "starter.py resend ITEM --as USER"
DOCTOR = "starter.py doctor"
REFRESH_COST_CODES = "starter.py cost-codes refresh PROJECT --as USER"
LINK_VENDOR = "starter.py vendors link VENDOR COMPANY --as USER"
SETTINGS = "starter.py settings apply FILE --as USER"
STANDARD_CODES = "starter.py standard-cost-codes refresh --as USER"

_EDIT_AND_RESEND = (
    "A tool admin corrects the item: "
    + REJECT
    + " (an accounting approver), then "
    + EDIT
    + " and "
    + RESEND
    + "."
)
_DIFFERS = (
    " When Sage's record differs from ours, `status` shows both side by side and an ERP Admin "
    "chooses: "
    + LINK_EXISTING
    + " takes Sage's record as this item's, or "
    + EXPORT_AS
    + " exports it under an unused Sage ID."
)

_ENTRIES: tuple[SageError, ...] = (
    # --- Transport and quota: retried on their own --------------------------------------
    _entry(
        "rate_limited",
        "Unknown Error => You have surpassed the max number of requests for an hour. "
        "Please wait until your limit resets.",
        "You have run into API rate limits.",
        "Nothing to do: this tool waits until the limit resets (Sage's Retry-After) and "
        "retries on its own. " + DOCTOR + " shows how much of the hour's quota is left.",
        Remedy.RETRY,
        commands=(DOCTOR,),
        seed=_CONTACT_SUPPORT,
    ),
    _entry(
        "server_error",
        "Internal server error.",
        "Sage failed while handling the request; the write may or may not have been applied.",
        "Nothing to do: this tool retries on its own with the same idempotency key, so a write "
        "Sage already applied is not applied twice. " + DOCTOR + " says whether Sage answers.",
        Remedy.RETRY,
        commands=(DOCTOR,),
    ),
    _entry(
        "unavailable",
        "Service temporarily unavailable.",
        "Sage, or the connection between this tool and Sage, is down for a moment.",
        "Nothing to do: this tool retries on its own until Sage answers again. "
        + DOCTOR
        + " says whether Sage can be reached from here.",
        Remedy.RETRY,
        commands=(DOCTOR,),
    ),
    _entry(
        "timeout",
        "Sage did not answer in time.",
        "The request timed out or the connection was closed before Sage answered; the write "
        "may or may not have been applied.",
        "Nothing to do: this tool retries on its own with the same idempotency key, so a write "
        "Sage already applied is not applied twice. " + DOCTOR + " says whether Sage answers.",
        Remedy.RETRY,
        commands=(DOCTOR,),
    ),
    # --- Access and this tool's own requests --------------------------------------------
    _entry(
        "unauthorized",
        "Invalid or missing API key.",
        "The API key this tool sends to Sage is missing or wrong, so Sage refused every call.",
        "The operator sets the Sage API key in the worker's SAGE_API_KEY (or SAGE_API_KEY_FILE) "
        "and restarts the worker; " + DOCTOR + " says when Sage takes the key. Then " + RETRY + ".",
        Remedy.WAIT_FOR_PERSON,
        person=OPERATOR,
        commands=(DOCTOR, RETRY),
    ),
    _entry(
        "idempotency_conflict",
        "Idempotency-Key reused with a different request.",
        "This tool sent a different request under an idempotency key it had already used, so "
        "Sage refused it rather than guess which request was meant.",
        "Nothing was written. An accounting approver runs " + RETRY + ": a retry is a new "
        "attempt with new idempotency keys, so Sage takes it.",
        Remedy.WAIT_FOR_PERSON,
        person=APPROVER,
        commands=(RETRY,),
    ),
    _entry(
        "invalid_path",
        "The Sage path [path] is not a path of Sage's API; nothing was sent.",
        "A Sage ID that is not a Sage code (a slash, '..', '%', '?' or '#' in it), ours or in "
        "Sage's answer, would have become part of a Sage path; this tool refused to send it, "
        "and undid what the export had written (ours, not the seed's).",
        "Nothing the export wrote is left in Sage. When the ID was in Sage's answer, an "
        "accounting approver runs " + RETRY + ": Sage is asked again. When it was ours, an "
        "accounting approver retries with a Sage ID of letters, digits, '-', '.' and '_': "
        + RETRY_NEW_ID
        + "; or a tool admin corrects the item file ("
        + EDIT
        + ", then "
        + RESEND
        + ").",
        Remedy.WAIT_FOR_PERSON,
        person=APPROVER,
        commands=(RETRY, RETRY_NEW_ID, EDIT, RESEND),
    ),
    _entry(
        "record_locked",
        "The record is in use by another user.",
        "Someone has the record open in Sage, so Sage refused to change or delete it just now.",
        "Whoever has the record open in Sage closes it; then an ERP Admin runs "
        + RESET
        + ": it undoes what the failed export left and sends the item again for acceptance.",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=(RESET,),
    ),
    _entry(
        "export_cancelled",
        "The export was cancelled in Temporal; Sage kept [N] step(s) it refused to undo.",
        "The item was cancelled in Temporal while its export ran; this tool undid what it had "
        "written, but Sage refused some undos (ours, not the seed's).",
        "An ERP Admin runs " + RESET + " to undo the leftovers; the item can then be cancelled "
        "or accepted again.",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=(RESET,),
    ),
    # --- CHANGE ORDER packages ----------------------------------------------------------
    _entry(
        "change_order_number_exists",
        "A change order with code XXX already exists on this contract.",
        "The change order number entered in the ERP tool is already in use on this contract "
        "in Sage 300 CRE®.",
        "An accounting approver looks up the contract's next unused change order number in "
        "Sage 300 CRE® (the contract's change orders) and exports under it: " + RETRY_NEW_ID + ".",
        Remedy.COMPENSATE,
        person=APPROVER,
        commands=(RETRY_NEW_ID,),
        seed="Check this contract in Sage 300 CRE® to verify the next available change order "
        "number for use. Retry the export with the next available number. If the item is not "
        "in Sage 300 CRE®: take a screenshot of the contract in Sage and contact ERP Support "
        "for further info.",
    ),
    _entry(
        "job_closed",
        "Job has been closed.",
        "The job is in a 'Closed' status in Sage 300 CRE®.",
        "An accountant re-opens the job in Sage 300 CRE® (Job Cost > Jobs: Status 'Open'), "
        "then an accounting approver runs " + RETRY + "; the retry exports the whole item.",
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(RETRY,),
        seed="Reopen the job in Sage 300 CRE®. Then, retry the export. If the issue persists, "
        "contact ERP Support and provide a screenshot of the Sage 300 CRE® Job in an Open "
        "status.",
    ),
    _entry(
        "commitment_change_order_exists",
        "A commitment change order already exists with the specified id.",
        "The commitment change order ID entered in the ERP tool already exists in Sage 300 "
        "CRE®. Commitment change order IDs need to be globally unique.",
        "This tool links an existing commitment change order whose content matches what it "
        "sent and counts the export as done." + _DIFFERS,
        Remedy.LINK,
        person=ERP_ADMIN,
        commands=(LINK_EXISTING, EXPORT_AS),
        seed="Check if the commitment change order appears in Sage 300 CRE® with expected "
        "transaction information. If all of the commitment change order data has made it to "
        "Sage 300 CRE®, but shows as failed in Procore, the commitment change order needs to "
        "be linked by ERP Support. Contact ERP Support and provide a screenshot of the "
        "commitment change order.",
    ),
    _entry(
        "contract_item_exists",
        "A contract item already exists on this contract with the specified code.",
        "This can happen if the line item is not marked as synced in Procore, if you modify "
        "contract items in Sage 300 CRE®, or if the prime contract change order is reset.",
        "This tool links an existing contract item whose content matches what it sent and "
        "counts the step as done. One that differs: an accounting approver picks unused "
        "contract item codes in Sage 300 CRE® (the contract's items) and runs "
        "starter.py retry ITEM --field new_contract_items=NEW_ID --as USER.",
        Remedy.LINK,
        person=APPROVER,
        commands=("starter.py retry ITEM --field new_contract_items=NEW_ID --as USER",),
        seed=_CONFIRM_WITH_SUPPORT,
    ),
    _entry(
        "linked_to_another_project",
        "The prime contract has inadvertently been added to two projects in your company's "
        "Procore account.",
        "The Sage contract is already synced to another Procore project (seeds/001).",
        "An ERP Admin imports it into the project it belongs to "
        "(starter.py prime-contract import PROJECT CONTRACT --as USER); if the other project's "
        "link is the wrong one, an accountant removes it in Sage 300 CRE® first.",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=("starter.py prime-contract import PROJECT CONTRACT --as USER",),
    ),
    _entry(
        "commitment_archived",
        "Commitment has been archived.",
        "The issue may be either the parent contract has been archived in Sage 300 CRE® or "
        "there is an issue with one of the commitment schedule of value items on the parent "
        "commitment itself not being synced properly with Sage 300 CRE®.",
        "An accountant compares the commitment's lines in Sage 300 CRE® ('Job Cost > Tasks > "
        "Commitments') with the change order's: if the commitment is archived, they restore "
        "it and an accounting approver runs " + RETRY + "; if the change order names a line "
        "Sage no longer has, a tool admin corrects it. " + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(RETRY, REJECT, EDIT, RESEND),
        seed=_CONFIRM_WITH_SUPPORT + " Take a screenshot of the line items on the commitment "
        "in 'Job Cost > Tasks > Commitments'.",
    ),
    _entry(
        "line_modified_twice",
        "A contract line item cannot be modified more than once on any CCO.",
        "Sage 300 CRE® has a limitation where a contract line item cannot be modified more "
        "than once on any CCO, and the change order changes one commitment line twice.",
        "This tool sums several modifications of the same commitment line into one line "
        "before it sends a CCO, so the lines Sage saw named one commitment line under two "
        "item numbers. " + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=TOOL_ADMIN,
        commands=(REJECT, EDIT, RESEND),
        seed=_CONFIRM_WITH_SUPPORT,
    ),
    _entry(
        "change_order_commitment_exists",
        "A commitment with code [XX-XXXXX-XX] already exits.",
        "This error may occur due to the following: a commitment was deleted and re-created, "
        "a failed previous attempt at exporting, or a different commitment exists with the "
        "same code.",
        "If an earlier attempt of this item left it, an ERP Admin runs " + RESET + " (it undoes "
        "what failed attempts left); if it is another commitment, an accounting approver "
        "exports under an unused code: " + RETRY_NEW_ID + ".",
        Remedy.COMPENSATE,
        person=APPROVER,
        commands=(RESET, RETRY_NEW_ID),
        seed=_CONFIRM_WITH_SUPPORT,
    ),
    # --- CONTRACTS (commitments) --------------------------------------------------------
    _entry(
        "commitment_exists",
        "A commitment with code [XX-XXXXX-XX] already exists. This error may occur due to the "
        "following: the commitment was deleted and re-created, a failed previous attempt at "
        "exporting, or a different commitment with the same code exists.  Contact ERP "
        "Support to confirm steps to resolution.",
        "A commitment with the same code already exists in Sage 300 CRE®: the commitment was "
        "deleted and re-created, a failed previous attempt at exporting, or a different "
        "commitment with the same code exists.",
        "This tool links an existing commitment whose content matches what it sent and counts "
        "the export as done." + _DIFFERS,
        Remedy.LINK,
        person=ERP_ADMIN,
        commands=(LINK_EXISTING, EXPORT_AS),
        seed=_CONFIRM_WITH_SUPPORT,
    ),
    _entry(
        "vendor_inactive",
        "Vendor is inactive/has been archived.",
        "The vendor on the failing contract has been set to 'Inactive' in Sage 300 CRE®.",
        "An accountant unchecks 'Inactive' on the vendor in Sage 300 CRE® (Accounts Payable > "
        "Vendors); if the Procore company is no longer linked to that vendor, an ERP Admin "
        "relinks it: " + LINK_VENDOR + ". Then an accounting approver runs " + RETRY + ".",
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(LINK_VENDOR, RETRY),
        seed="Uncheck the 'Inactive' option on this vendor in Sage 300 CRE® and verify that the "
        "vendor is still synced with Procore. If it is no longer synced, contact ERP Support "
        "to have the vendors re-linked so the contract will export. Then retry the export.",
    ),
    _entry(
        "code_change_not_allowed",
        "Changing the code is not allowed.",
        "This error indicates the item has been attempted multiple times and the previous "
        "export attempts need to be cleared.",
        "This tool clears previous export attempts itself: an ERP Admin runs " + RESET + " (it "
        "undoes what earlier attempts left in Sage), then an accounting approver accepts it "
        "again.",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=(RESET,),
        seed=_CONFIRM_WITH_SUPPORT,
    ),
    _entry(
        "category_not_found",
        "No entities could be found of type [Category] with given where clause.",
        "The category being used on the commitment item is no longer on the job in Sage 300 "
        "CRE®. This error is related to cost code and/or category items which have been "
        "deleted and/or re-added from Sage 300 CRE®.",
        "An ERP Admin refreshes the job's cost codes from Sage: " + REFRESH_COST_CODES + " "
        "(it lists the job's cost codes and categories as Sage has them now). If the category "
        "is there (deleted and re-added), an accounting approver runs " + RETRY + "; if not, "
        "an accountant adds it to the job in Sage 300 CRE® (Job Cost > Cost Codes) before the "
        "retry, or " + _EDIT_AND_RESEND[0].lower() + _EDIT_AND_RESEND[1:],
        Remedy.COMPENSATE,
        person=ERP_ADMIN,
        commands=(REFRESH_COST_CODES, RETRY, REJECT, EDIT, RESEND),
        seed=_CONFIRM_WITH_SUPPORT,
    ),
    _entry(
        "commitment_id_exists",
        "A commitment already exists with the specified id.",
        "Commitments will fail to export from Procore to Sage 300 CRE® if an existing "
        "commitment with the same code already exists in the hh2 database. This can occur if "
        "a commitment was created directly in Sage 300 CRE®, even if it was later deleted.",
        "The code is taken for good (hh2 remembers it even deleted): an accounting approver "
        "exports under an unused commitment ID: " + RETRY_NEW_ID + ".",
        Remedy.COMPENSATE,
        person=APPROVER,
        commands=(RETRY_NEW_ID,),
        seed="Review the ERP Support FAQ on this error for the steps to resolve this issue.",
    ),
    _entry(
        "no_items",
        "Can't be blank.",
        "The commitment has no line items and Sage 300 CRE® needs at least one. " + _DATA_ISSUE,
        "A tool admin adds at least one line item. " + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=TOOL_ADMIN,
        commands=(REJECT, EDIT, RESEND),
        seed=_CONTACT_SUPPORT,
    ),
    # --- INVOICES -----------------------------------------------------------------------
    _entry(
        "invoice_exists",
        "There are errors in the document's codings. Errors: Document already exists for "
        "specified vendor and code [XX-XXXXXX-XX].",
        "There is already an invoice in Sage 300 CRE® with the same code for the vendor.",
        "This tool links an existing invoice whose content matches what it sent and counts "
        "the export as done." + _DIFFERS,
        Remedy.LINK,
        person=ERP_ADMIN,
        commands=(LINK_EXISTING, EXPORT_AS),
        seed="Confirm that you are using a unique invoice ID. If you are using a unique invoice "
        "ID, contact ERP Support for assistance with rectifying any data discrepancies "
        "between the systems.",
    ),
    _entry(
        "gl_period_closed",
        "Ap Invoice Api import failed with error message: GL period closed.  Entry not "
        "allowed. (MM\\DD\\YYYY).",
        "Invoices will not post to a closed GL period in Sage 300 CRE®.",
        "This tool resets the failed attempt itself (the completed steps are undone at once). "
        "An accountant re-opens the GL period in Sage 300 CRE® (General Ledger > Setup > "
        "Periods), then an accounting approver runs " + RETRY + "; or the approver exports "
        "into an open period: starter.py retry ITEM --field accounting_date=NEW_ID --as USER.",
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(RETRY, "starter.py retry ITEM --field accounting_date=NEW_ID --as USER"),
        seed="Re-open the GL period and contact ERP Support to reset the failed export attempt.",
    ),
    _entry(
        "no_distributions",
        "The document's codings are incomplete: The document has no distributions.",
        "In most cases, this error is because of the result of a zero-dollar invoice. This "
        "frequently happens when the Work Completed and New Materials Stored fields zero each "
        "other out. Once the lines reach a net zero, the integration doesn't send any lines "
        "over for $0. In this case Procore thinks that it doesn't have anything to export.",
        "A tool admin corrects the zero-dollar invoice. " + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=TOOL_ADMIN,
        commands=(REJECT, EDIT, RESEND),
        seed="Please correct the zero-dollar invoice.",
    ),
    _entry(
        "over_tolerance",
        "Ap Invoice Api import failed with error message: Commitment XXXXXXX - amount invoiced "
        "exceeds approved amount plus tolerance.",
        "This error occurs due to a Sage 300 CRE® setting and is not due to any settings "
        "within Procore or the integration itself. This means that the item has gone over the "
        "amount allowed by Sage 300 CRE® or the item is attempting to be overbilled and thus "
        "rejected.",
        "An accountant raises the AP tolerance (check the tolerance setup in Sage 300 CRE®, "
        "Accounts Payable settings), or a commitment change order approves the extra amount; "
        "then an "
        "accounting approver runs "
        + RETRY
        + ". An invoice that overbills: "
        + _EDIT_AND_RESEND[0].lower()
        + _EDIT_AND_RESEND[1:],
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(RETRY, REJECT, EDIT, RESEND),
        seed="Please check the tolerance setup in Sage 300 CRE® and adjust accordingly. Review "
        "the Sage 300 CRE® Knowledgebase support site for further assistance.",
    ),
    # --- OWNER INVOICES (Accounts Receivable; the seeds quote no AR message: ours) -------
    _entry(
        "ar_invoice_exists",
        "There are errors in the document's codings. Errors: Document already exists for "
        "specified contract and code [XX-XXXXXX-XX].",
        "There is already an AR invoice in Sage 300 CRE® with the same code on the contract.",
        "This tool links an existing invoice whose content matches what it sent and counts "
        "the export as done." + _DIFFERS,
        Remedy.LINK,
        person=ERP_ADMIN,
        commands=(LINK_EXISTING, EXPORT_AS),
    ),
    _entry(
        "over_contract",
        "Ar Invoice Api import failed with error message: Contract XXXXXXX - amount billed "
        "exceeds the revised contract amount.",
        "The owner invoice would bill more than the prime contract's revised amount in Sage "
        "300 CRE® (what AR has billed on it included): it overbills, or a change order is not "
        "in Sage yet.",
        "An accounting approver exports the PCCO that raises the contract (then runs "
        + RETRY
        + "); an invoice that overbills: "
        + _EDIT_AND_RESEND[0].lower()
        + _EDIT_AND_RESEND[1:],
        Remedy.COMPENSATE,
        person=APPROVER,
        commands=(RETRY, REJECT, EDIT, RESEND),
    ),
    _entry(
        "contract_unapproved",
        "Ar Invoice Api import failed with error message: Contract XXXXXXX is not approved.",
        "The prime contract is in unapproved state in Sage 300 CRE®: it takes no AR invoice.",
        "An accountant approves the contract in Sage 300 CRE® (Contracts), then an accounting "
        "approver runs " + RETRY + ".",
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(RETRY,),
    ),
    _entry(
        "no_contract_items",
        "The document's codings are incomplete: The document has no contract items.",
        "The owner invoice reached Sage with no contract item billed.",
        "A tool admin corrects the owner invoice. " + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=TOOL_ADMIN,
        commands=(REJECT, EDIT, RESEND),
    ),
    _entry(
        "invalid_expense_account",
        "Ap Invoice Api import failed with error message:  [XXXXX] is an invalid expense account.",
        "Sage 300 CRE® requires an expense account in the distribution. Since there's no "
        "expense account/[GL Account], Sage 300 CRE® is rejecting the invoice. This error is "
        "typically caused by a feature in Sage 300 CRE® called 'control accounts' that is "
        "turned on.",
        "An accountant sets an expense account for the job's cost code in Sage 300 CRE® (or "
        "turns 'control accounts' off in General Ledger > Setup), then an accounting approver "
        "runs " + RETRY + ".",
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(RETRY,),
        seed="Review the Sage 300 CRE® Knowledgebase support site for further assistance.",
    ),
    # --- ERP CONNECTION -----------------------------------------------------------------
    _entry(
        "not_found",
        "Entity with this ID not found.",
        _DATA_ISSUE + " A record the item names (a job or a vendor, say) is not in Sage.",
        DOCTOR + " checks that the Sage IDs of the settings exist. A vendor no longer in Sage: "
        "an ERP Admin relinks the Procore company to the Sage vendor (" + LINK_VENDOR + "); a "
        "job: the project's sage_job_id is corrected (" + SETTINGS + "); a commitment a change "
        "order names: the commitment is exported first. Then " + RETRY + ".",
        Remedy.COMPENSATE,
        person=ERP_ADMIN,
        commands=(DOCTOR, LINK_VENDOR, SETTINGS, RETRY),
        seed=_CONTACT_SUPPORT,
        absent=True,
    ),
    _entry(
        "cant_be_blank",
        "Can't be blank.",
        _DATA_ISSUE + " A field Sage 300 CRE® requires was sent empty.",
        "A tool admin fills the empty field (the change order's lines, say). " + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=TOOL_ADMIN,
        commands=(REJECT, EDIT, RESEND),
        seed=_CONTACT_SUPPORT,
    ),
    _entry(
        "job_sync_failed",
        "We're sorry, an error occurred when attempting to sync your Jobs. Please contact "
        "your customer support rep for assistance.",
        _DATA_ISSUE + " Sage could not sync the job the item names.",
        "An ERP Admin runs "
        + DOCTOR
        + " (the settings' Sage job must exist in Sage) and "
        + REFRESH_COST_CODES
        + " (reads the job again); then an accounting approver runs "
        + RETRY
        + ".",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=(DOCTOR, REFRESH_COST_CODES, RETRY),
        seed=_CONTACT_SUPPORT,
    ),
    # --- PROJECTS (jobs) and field lengths -----------------------------------------------
    _entry(
        "job_exists",
        "A job with that code already exists.",
        "A job with the same code already exists in Sage 300 CRE®.",
        "This tool links an existing job whose content matches what it sent and counts the "
        "export as done." + _DIFFERS,
        Remedy.LINK,
        person=ERP_ADMIN,
        commands=(LINK_EXISTING, EXPORT_AS),
        seed="You will need to contact ERP Support and confirm that the duplicate job no longer "
        "exists in both Sage 300 CRE® JC and PJ. Afterwards, ERP Support can reconcile the "
        "data, and you can then reject and re-export the job from Procore.",
    ),
    _entry(
        "job_id_exists",
        "A job already exists with the specified id.",
        "Job IDs have to be globally unique.",
        "An accounting approver exports the project under an unused Sage job ID: "
        "starter.py retry ITEM --field sage_job_id=NEW_ID --as USER.",
        Remedy.COMPENSATE,
        person=APPROVER,
        commands=("starter.py retry ITEM --field sage_job_id=NEW_ID --as USER",),
        seed="Please verify that the job ID being used is unique.",
    ),
    _entry(
        "invalid_request",
        "The request does not fit the Sage API.",
        "Sage could not read the request this tool sent: a field was missing, empty, of the "
        "wrong kind, or listed twice. " + _DATA_ISSUE,
        "A tool admin removes the empty or repeated value (a cost code listed twice, say). "
        + _EDIT_AND_RESEND,
        Remedy.COMPENSATE,
        person=TOOL_ADMIN,
        commands=(REJECT, EDIT, RESEND),
        seed=_CONTACT_SUPPORT,
    ),
    # --- SUB JOBS, COMPANIES, BUDGETS (Things to Know; the mock's words, the seed's rules) -
    _entry(
        "extra_exists",
        "An extra with that code already exists on this job.",
        "An extra (sub job) with the same code already exists on the Sage 300 CRE® job.",
        "This tool links an existing extra whose content matches what it sent and counts the "
        "export as done. Another sub job: an accounting approver exports under an unused "
        "SubJob ID: starter.py retry ITEM --field sub_job_id=NEW_ID --as USER.",
        Remedy.LINK,
        person=APPROVER,
        commands=("starter.py retry ITEM --field sub_job_id=NEW_ID --as USER",),
    ),
    _entry(
        "vendor_exists",
        "A vendor with that ID already exists.",
        "A vendor with the same ERP Company ID already exists in Sage 300 CRE® Accounts Payable.",
        "This tool links an existing vendor whose content matches what it sent and counts the "
        "export as done. The same company with other details: an ERP Admin links the Procore "
        "company to that vendor instead (" + LINK_VENDOR + ") and an accounting approver "
        "rejects this export (" + REJECT + "); another company: the approver exports under an "
        "unused ERP Company ID: starter.py retry ITEM --field erp_company_id=NEW_ID --as USER.",
        Remedy.LINK,
        person=ERP_ADMIN,
        commands=(
            LINK_VENDOR,
            REJECT,
            "starter.py retry ITEM --field erp_company_id=NEW_ID --as USER",
        ),
    ),
    _entry(
        "budget_locked",
        "The budget of job [XXXX] has already been exported to Sage 300 CRE® and is locked. "
        "Use a budget modification to change it.",
        "After exporting a Procore budget to Sage 300 CRE®, the budget is locked: the job "
        "already holds the original estimate of an earlier budget export.",
        "This tool links an earlier export of the same budget whose lines match what it sent. "
        "A different budget: change it with a budget modification (it reaches Sage as "
        "approved estimate changes), and an accounting approver rejects this budget export: "
        + REJECT
        + ".",
        Remedy.LINK,
        person=APPROVER,
        commands=(REJECT,),
    ),
    _entry(
        "field_too_long",
        "[Field] is too long, maximum length is N characters.",
        "The value you entered has more characters than Sage 300 CRE® allows for this field "
        "(for example [Name] 30, [AddressCity] 15, [AddressZip] 10, [Commitment ID] 12, "
        "[Description] 30).",
        "Shorten the value to the maximum the message names: an export field by "
        + RETRY_NEW_ID
        + " (an accounting approver), a field of the item by "
        + _EDIT_AND_RESEND[0].lower()
        + _EDIT_AND_RESEND[1:],
        Remedy.COMPENSATE,
        person=APPROVER,
        commands=(RETRY_NEW_ID, REJECT, EDIT, RESEND),
    ),
    # --- both Sage systems, and the import direction (sage_mock/API.md) ----------------
    _entry(
        "cost_code_not_standard",
        "Cost code [07-100] is not on the standard cost code list. New cost codes must be "
        "created in your ERP system.",
        "Before a budget export, the budget's cost codes the Sage job lacks are added to it "
        "from the company's standard cost code list (release note of 02/03/2025); this code "
        "is not on that list, or it has been deactivated.",
        "An accountant creates (or reactivates) the cost code in Sage's standard cost code "
        "list; an ERP Admin refreshes the list (" + STANDARD_CODES + "), then an accounting "
        "approver runs "
        + RETRY
        + ". Or the budget uses a standard code: "
        + _EDIT_AND_RESEND[0].lower()
        + _EDIT_AND_RESEND[1:],
        Remedy.COMPENSATE,
        person=ACCOUNTANT,
        commands=(STANDARD_CODES, RETRY, REJECT, EDIT, RESEND),
    ),
    _entry(
        "job_in_both_systems",
        "Job [3001] is already synced with Procore project [P-1004]. You must always add the "
        "job/project in one system and then add it to the other. You cannot create a job in "
        "both systems and then sync them at a later time.",
        "The Sage job is synced with a Procore project already, or it was created in Sage by "
        "a project export from Procore.",
        "Use the project the job is synced with: a job is added in one system and then to the "
        "other, never both. An accounting approver rejects this one: " + REJECT + ".",
        Remedy.WAIT_FOR_PERSON,
        person=APPROVER,
        commands=(REJECT,),
    ),
    _entry(
        "not_supported",
        "Sage 100 Contractor® does not support <feature>.",
        "The project's Sage company runs Sage 100 Contractor®, which has no notion of this "
        "item (sub jobs, prime contract change orders and prime contract imports are Sage "
        "300 CRE® features); the project's `erp` setting does not match its Sage company.",
        "An ERP Admin sets the project's `erp` and `sage_company` to the Sage system its job "
        "lives in (" + SETTINGS + "); an accounting approver rejects the item, its ERP cannot "
        "take it: " + REJECT + ".",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=(SETTINGS, REJECT),
    ),
    _entry(
        "unknown_company",
        "Company [X] not found.",
        "The project's `sage_company` names a Sage company that does not exist.",
        "An ERP Admin corrects `sage_company` in the project settings ("
        + SETTINGS
        + "; "
        + DOCTOR
        + " checks it), then an accounting approver runs "
        + RETRY
        + ".",
        Remedy.WAIT_FOR_PERSON,
        person=ERP_ADMIN,
        commands=(SETTINGS, DOCTOR, RETRY),
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
UNKNOWN_SOLUTION = (
    "An accounting approver runs starter.py retry ITEM --as USER once Sage's message is "
    "understood (starter.py doctor checks the key, Sage and the settings' Sage IDs); if Sage "
    "answers the same, send the item ID and this message to whoever runs Sage."
)


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
            person=APPROVER,
            commands=(DOCTOR, RETRY),
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
