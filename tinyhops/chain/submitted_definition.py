"""A submitted workflow's DAG read back from the chain: the submit transaction's own arguments."""

from __future__ import annotations

from typing import Any

from eth_utils import function_signature_to_4byte_selector

from tinyhops.encoding.submit_arguments import SUBMIT_ARGUMENT_TYPE, decode_calldata_arguments
from tinyhops.errors import DefinitionUnavailable, UnknownWorkflow
from tinyhops.spec.model import Workflow

SUBMIT_SELECTOR = function_signature_to_4byte_selector(f"submit({SUBMIT_ARGUMENT_TYPE})")


def submitted_workflow(registry: Any, chain: Any, workflow_id: int) -> Workflow:
    logs = list(registry.WorkflowSubmitted.range(0, chain.blocks.height + 1, search_topics={"workflowId": workflow_id}))
    if not logs:
        raise UnknownWorkflow(workflow_id, registry.address, int(registry.workflowCount()))
    transaction = chain.provider.get_receipt(logs[0].transaction_hash).transaction
    data = bytes(transaction.data)
    if transaction.receiver != registry.address or data[:4] != SUBMIT_SELECTOR:
        raise DefinitionUnavailable(
            f"workflow {workflow_id} was submitted through another contract: give its .thops.json file"
        )
    return decode_calldata_arguments(data[4:])
