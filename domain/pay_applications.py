"""Pay applications of a lump-sum prime contract (seeds/000, Kevin Hicks' steps 3d and the
validation notes): the project team bills from the detailed SOV it keeps in Procore, and Sage,
which holds one contract item, is back-checked at the point a pay application takes the SOV.

- 3d "PM can then create Pay Apps and now regain complete control over the order,
  description and any other functionality": a pay application takes the SOV as the team keeps
  it (its order, codes and descriptions), in the team's name (Admin on the Prime Contracts
  tool, the same people who keep the SOV).
- Validation 1 "a user could not create a new pay app until the SOV items matched the Sage
  Contract total or revised total at that point in time": `create` is refused until the SOV
  total equals Sage's revised total, read from Sage when the command runs (`readiness`).
- Validation 2 "either delete and recreate the draft pay app to pull in the SOV updates or
  have option in draft only pay app to sync the SOV's items": `resync` re-takes the SOV into
  a draft (checked against Sage again), `delete` removes a draft; neither touches one that
  left draft (`submit`).

One draft at a time: a repeated `create` is refused while the last one is a draft, so a
retried command never makes two. Pure: the PrimeContractSync workflow holds the list and
reads Sage; these functions decide.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain import prime_contract as pc
from domain.items import ItemTool
from domain.refusal import Refusal
from domain.settings import ProjectSettings

MAX_NUMBER = 100_000
MAX_HELD = 600
"""Pay applications one prime contract holds (fifty years of monthly billing): the list
travels in the workflow's continue-as-new input, so it is bounded."""
_DONE = {"resync": "resynced", "delete": "deleted", "submit": "submitted"}


class PayApplicationRefused(Refusal):
    """A pay application command the rules, its state or the actor's permissions refuse."""


class PayApplicationStatus(StrEnum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    """Submitted: it left draft, its SOV is fixed (validation 2 is "draft only")."""


class PayApplication(BaseModel):
    """One pay application: the SOV it took and Sage's revised total it matched then."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)
    status: PayApplicationStatus = PayApplicationStatus.DRAFT
    created_by: str
    created_at: datetime
    sov: list[pc.SovItem]
    sage_revised_total: Decimal
    sov_taken_at: datetime
    sov_taken_by: str

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.sov), Decimal(0))


class PayApplicationRequest(BaseModel):
    """`create` names no number; `resync`, `delete` and `submit` name the pay application."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1, max_length=100)
    number: int | None = Field(default=None, ge=1, le=MAX_NUMBER)


def authorize(settings: ProjectSettings, actor: str, action: str) -> None:
    """Pay applications are the project team's (3d "PM can then create Pay Apps"): Admin on
    the Prime Contracts tool of the roster the workflow holds, as for the SOV they bill."""
    user = settings.roster.get(actor)
    if user is None:
        raise PayApplicationRefused(f"'{actor}' is not on the roster of project {settings.project}")
    if ItemTool.PRIME_CONTRACTS not in user.tool_admin:
        raise PayApplicationRefused(
            f"{actor} cannot {action} a pay application: needs Admin on the Prime Contracts tool"
        )


def check_mode(prime: pc.PrimeContract) -> None:
    if prime.sov_controlled_by is not pc.SovControl.PROCORE:
        raise PayApplicationRefused(
            "pay applications here are the lump-sum mode's (seeds/000 step 3d): the SOV of "
            "this prime contract is controlled by Sage"
        )


def draft_of(pay_apps: list[PayApplication]) -> PayApplication | None:
    return next((p for p in pay_apps if p.status is PayApplicationStatus.DRAFT), None)


def check_create(
    settings: ProjectSettings, prime: pc.PrimeContract, pay_apps: list[PayApplication], actor: str
) -> None:
    """What `create` can decide without Sage: who, which mode, and one draft at a time."""
    authorize(settings, actor, "create")
    check_mode(prime)
    if len(pay_apps) >= MAX_HELD:
        raise PayApplicationRefused(
            f"this prime contract holds {len(pay_apps)} pay applications, the most it keeps"
        )
    draft = draft_of(pay_apps)
    if draft is not None:
        raise PayApplicationRefused(
            f"pay application #{draft.number} is still a draft: resync it (pay-app resync) or "
            "delete it (pay-app delete) before creating another"
        )


def _require_ready(prime: pc.PrimeContract, what: str) -> None:
    """Validation 1: the SOV total equals Sage's revised total, as Sage shows it now."""
    answer = pc.readiness(prime)
    if not answer.ready:
        raise PayApplicationRefused(
            f"{what} refused: {answer.message}; edit the SOV first (prime-contract edit-sov)"
        )


def create(
    prime: pc.PrimeContract, pay_apps: list[PayApplication], actor: str, at: datetime
) -> list[PayApplication]:
    """A new draft taking the SOV, once its total matches Sage's revised total (`prime` holds
    Sage's figures as read when the command ran)."""
    _require_ready(prime, "a new pay application")
    number = max((p.number for p in pay_apps), default=0) + 1
    new = PayApplication(
        number=number,
        created_by=actor,
        created_at=at,
        sov=list(prime.sov),
        sage_revised_total=prime.sage_revised_total,
        sov_taken_at=at,
        sov_taken_by=actor,
    )
    return [*pay_apps, new]


def find_draft(pay_apps: list[PayApplication], number: int | None, action: str) -> int:
    """The index of draft `number`; refused when there is none or it left draft."""
    if number is None:
        raise PayApplicationRefused(f"pay-app {action} needs the pay application's number")
    for index, pay_app in enumerate(pay_apps):
        if pay_app.number == number:
            if pay_app.status is not PayApplicationStatus.DRAFT:
                raise PayApplicationRefused(
                    f"pay application #{number} is {pay_app.status.value}: only a draft can be "
                    f"{_DONE.get(action, action)}"
                )
            return index
    known = ", ".join(f"#{p.number}" for p in pay_apps) or "none yet"
    raise PayApplicationRefused(f"no pay application #{number} (pay applications: {known})")


def check_draft_command(
    settings: ProjectSettings,
    prime: pc.PrimeContract,
    pay_apps: list[PayApplication],
    actor: str,
    number: int | None,
    action: str,
) -> int:
    authorize(settings, actor, action)
    check_mode(prime)
    return find_draft(pay_apps, number, action)


def resync(
    prime: pc.PrimeContract,
    pay_apps: list[PayApplication],
    number: int | None,
    actor: str,
    at: datetime,
) -> list[PayApplication]:
    """Validation 2: a draft re-takes the SOV the team changed (split items, say), checked
    against Sage's revised total again; a draft that holds it already is told so."""
    index = find_draft(pay_apps, number, "resync")
    draft = pay_apps[index]
    if draft.sov == prime.sov and draft.sage_revised_total == prime.sage_revised_total:
        raise PayApplicationRefused(
            f"pay application #{draft.number} already holds the current SOV "
            f"({len(draft.sov)} line(s), total {pc.money(draft.total)})"
        )
    _require_ready(prime, f"resync of pay application #{draft.number}")
    taken = draft.model_copy(
        update={
            "sov": list(prime.sov),
            "sage_revised_total": prime.sage_revised_total,
            "sov_taken_at": at,
            "sov_taken_by": actor,
        }
    )
    return [*pay_apps[:index], taken, *pay_apps[index + 1 :]]


def delete(pay_apps: list[PayApplication], number: int | None) -> list[PayApplication]:
    """Validation 2's other way: the draft goes, and `create` pulls the SOV in anew."""
    index = find_draft(pay_apps, number, "delete")
    return [*pay_apps[:index], *pay_apps[index + 1 :]]


def submit(pay_apps: list[PayApplication], number: int | None) -> list[PayApplication]:
    """The draft leaves draft: its SOV is fixed from now on, and a new one may be created."""
    index = find_draft(pay_apps, number, "submit")
    sent = pay_apps[index].model_copy(update={"status": PayApplicationStatus.UNDER_REVIEW})
    return [*pay_apps[:index], sent, *pay_apps[index + 1 :]]


def stale(pay_app: PayApplication, prime: pc.PrimeContract) -> bool:
    """A draft whose SOV the team changed since it was taken (shown, for a resync)."""
    return pay_app.status is PayApplicationStatus.DRAFT and pay_app.sov != prime.sov
