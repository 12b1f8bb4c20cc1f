"""One way to reach Temporal, for worker, starter and tools: pydantic data converter, TLS or
API key from the environment."""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client, TLSConfig
from temporalio.service import RPCError, RPCStatusCode

from contract import search_attributes as sa
from runtime.codec import CodecKeys, data_converter
from runtime.config import Config


async def connect(cfg: Config) -> Client:
    """A client whose payloads are encrypted when codec keys are configured (ERP_CODEC_KEYS or
    ERP_CODEC_KEYS_FILE; see runtime/codec.py), so worker and starter always agree."""
    tls: TLSConfig | bool = False
    if cfg.temporal_tls_cert or cfg.temporal_tls_ca:
        tls = TLSConfig(
            client_cert=cfg.temporal_tls_cert.read_bytes() if cfg.temporal_tls_cert else None,
            client_private_key=cfg.temporal_tls_key.read_bytes() if cfg.temporal_tls_key else None,
            server_root_ca_cert=cfg.temporal_tls_ca.read_bytes() if cfg.temporal_tls_ca else None,
        )
    elif cfg.temporal_api_key:
        tls = True
    return await Client.connect(
        cfg.temporal_address,
        namespace=cfg.temporal_namespace,
        tls=tls,
        api_key=cfg.temporal_api_key.get_secret_value() if cfg.temporal_api_key else None,
        data_converter=data_converter(CodecKeys.from_env()),
    )


async def register_search_attributes(client: Client, namespace: str) -> list[str]:
    """Add the custom search attributes the namespace lacks; returns the names it added."""
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        existing = set(listed.custom_attributes)
    except RPCError as err:
        if err.status != RPCStatusCode.UNIMPLEMENTED:  # the time-skipping test server can't list
            raise
        existing = set()
    wanted = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in sa.ALL
        if key.name not in existing
    }
    if wanted:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=wanted)
        )
    return sorted(wanted)
