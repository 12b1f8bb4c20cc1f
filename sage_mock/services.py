"""What every route and the gateway share: one per app, reachable from `app.state`."""

from dataclasses import dataclass

from fastapi import Request

from sage_mock.api_keys import ApiKeyHash
from sage_mock.config import MockConfig
from sage_mock.faults import FaultInjector
from sage_mock.quota import RequestQuota
from sage_mock.store import Store


@dataclass
class SageServices:
    config: MockConfig
    store: Store
    quota: RequestQuota
    faults: FaultInjector
    api_key: ApiKeyHash
    admin_key: ApiKeyHash | None = None
    """None: the admin API is off."""


def services(request: Request) -> SageServices:
    """FastAPI dependency: the services of the app serving this request."""
    return request.app.state.services
