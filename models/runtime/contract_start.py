"""Starting a provider's contract workflow by its type name.

Shared by the application layer (`lov contract start`) and the activity that starts an approved
application's contract (activities/opening.py): neither may import the workflow module (layer
rules), and both must start it alike — same id, input, reuse policy and search attributes.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy

from models.ids import contract_workflow_id, search_value
from models.messages.contract import ContractInput
from models.runtime import search_attributes as sa

# The workflow type name (workflows/contract.py: `@workflow.defn class ContractWorkflow`); it is
# in every stored history, so it never changes.
CONTRACT_WORKFLOW = "ContractWorkflow"


async def start_contract_workflow(
    client: Client,
    task_queue: str,
    inp: ContractInput,
    ref: str | None,
    memo: dict[str, Any] | None = None,
) -> str:
    """Start a provider's contract workflow; WorkflowAlreadyStartedError if one is running.

    `ref`: a sole trader's opaque key (models.domain.provider_id), which names the contract
    instead of the personnummer; it goes into the input so that the contract names its
    obligations and meetings alike. None for a company. `memo`: the CLI's request id
    (services/request_ids.py), so a retry knows its own start."""
    org_nr = inp.provider.org_nr
    inp = inp.model_copy(update={"provider_ref": ref})
    wid = contract_workflow_id(org_nr, ref)
    await client.start_workflow(
        CONTRACT_WORKFLOW,
        inp,
        id=wid,
        task_queue=task_queue,
        # A terminated provider that is approved again gets a new contract under the same id.
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        memo=memo,
        search_attributes=(
            sa.at_start("contract", search_value(org_nr, ref), "active")
            if inp.search_attributes
            else None
        ),
    )
    return wid
