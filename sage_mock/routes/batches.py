"""`/v1/batches`: whether Sage has posted the transactions of a write."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sage_mock.errors import not_found
from sage_mock.records import batches
from sage_mock.services import SageServices, services

router = APIRouter(prefix="/v1/batches")
Services = Annotated[SageServices, Depends(services)]


@router.get("/{batch_id}")
async def get_batch(batch_id: str, sv: Services) -> dict[str, Any]:
    with sv.store.write() as db:  # a read may post a batch that has come due
        batch = batches.find(db, batch_id)
    if batch is None:
        raise not_found()
    return batch
