"""The provider loop in-process on Lilypad v2's local job creator: a crash at each point between taking a job's
deposit and saving the cursor (and a recorded transfer whose nonce another transaction took), then a restart:
every job answered once, every deposit taken once; a job whose deposit cannot be taken is not run; the wrong
account is refused before anything is sent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tinyhops import spec
from tinyhops.chain.address_book import Deployment
from tinyhops.chain.deploy import LOCAL_V2_DEPOSIT, deploy_local_lilypad_v2, deploy_registry_v2
from tinyhops.chain.registry_client import RegistryClient, WorkflowStatus
from tinyhops.errors import ProviderError
from tinyhops.provider.backends.v2 import LocalJobCreatorV2
from tinyhops.provider.cursor import load_cursor
from tinyhops.provider.sender import Sender
from tinyhops.provider.service import Provider
from tinyhops.provider.store import ContentStore

TOKEN = 10**18


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, nothing catches it."""


@pytest.fixture(scope="module")
def v2(project: Any, chain: Any, deployer: Any, user: Any, provider: Any) -> RegistryClient:
    job_creator = deploy_local_lilypad_v2(project, deployer, provider)
    token = project.LocalLilypadToken.at(job_creator.getTokenAddress())
    registry = deploy_registry_v2(project, deployer, job_creator).registry
    token.mint(user, 100 * TOKEN, sender=deployer)
    deployment = Deployment(chain.chain_id, registry.address, job_creator.address, True, provider.address, 0, "v2")
    return RegistryClient(project, deployment)


def chain_of(length: int) -> spec.Workflow:
    steps = [{"stepId": "1", "stepModule": {"cmd": "cowsay:v0.0.1", "params": "one", "cost": "1"}}]
    steps += [
        {
            "stepId": str(i),
            "stepModule": {"cmd": "cowsay:v0.0.1", "params": f"after {{{{stepId:{i - 1}}}}}", "cost": "1"},
        }
        for i in range(2, length + 1)
    ]
    return spec.load({"version": "v0.0.1", "steps": steps})


def serving(v2: RegistryClient, chain: Any, account: Any, folder: Path, start: int, lines: list[str]) -> Provider:
    backend = LocalJobCreatorV2(v2.lilypad, v2.token, v2.registry, chain.provider.web3)
    served = Provider(
        web3=chain.provider.web3,
        lilypad=backend,
        account=account,
        store=ContentStore(folder / "store"),
        cursor_file=folder / "cursor.json",
        start_block=start,
        log=lines.append,
        retry_delay=0,
    )
    served.start()
    return served


def deposits_taken(v2: RegistryClient, chain: Any, start: int, controller: str) -> list[int]:
    transfers = [e.event_arguments for e in v2.token.Transfer.range(start, chain.blocks.height + 1)]
    return [int(t["value"]) for t in transfers if t["from"] == v2.registry.address and t["to"] == controller]


@pytest.mark.parametrize(
    "crash_point",
    ["before_the_transfer", "before_the_transfer_and_its_nonce_used", "after_the_transfer", "after_the_answer"],
)
def test_a_crash_anywhere_around_a_deposit_neither_skips_nor_repeats_an_answer_or_a_deposit(
    crash_point: str, v2: RegistryClient, chain: Any, user: Any, provider: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    start = chain.blocks.height + 1
    lines: list[str] = []
    workflow_id = v2.submit(chain_of(3), user)
    first = serving(v2, chain, provider, tmp_path, start, lines)  # after the start block exists: one identity
    real_broadcast, real_send = Sender.broadcast, Sender.send

    def broadcast(self: Any, sent: Any) -> None:  # the deposit transfers: signed, recorded, then broadcast
        if crash_point == "after_the_transfer":
            real_broadcast(self, sent)
        raise Crash

    def send(self: Any, *args: Any) -> Any:  # the answers: sent without waiting, then their receipts read
        real_send(self, *args)
        raise Crash  # killed after sending, before the receipt

    if crash_point == "after_the_answer":
        monkeypatch.setattr(Sender, "send", send)
    else:
        monkeypatch.setattr(Sender, "broadcast", broadcast)
    with pytest.raises(Crash):
        first.poll()
    monkeypatch.undo()
    assert load_cursor(tmp_path / "cursor.json", first.cursor.lilypad, start).deposit_of(1)  # recorded first
    if crash_point == "before_the_transfer_and_its_nonce_used":
        # Another transaction of the account (an operator's, say) took the recorded transfer's nonce: the node
        # refuses the recorded one ("nonce too low"), which can then never land; a new one is signed.
        provider.transfer(provider, 0)

    restarted = serving(v2, chain, provider, tmp_path, start, lines)
    while restarted.poll():
        pass
    assert WorkflowStatus(v2.registry.getWorkflow(workflow_id).status) is WorkflowStatus.COMPLETED
    completed = Counter(int(e.stepIndex) for e in v2.registry.StepCompleted.range(start, chain.blocks.height + 1))
    assert completed == Counter(range(3))
    assert not list(v2.registry.ResultIgnored.range(start, chain.blocks.height + 1))
    assert deposits_taken(v2, chain, start, provider.address) == [LOCAL_V2_DEPOSIT] * 3
    assert int(v2.token.allowance(v2.registry.address, provider.address)) == 0
    skipped = [line for line in lines if "no longer in flight" in line]
    assert len(skipped) == (1 if crash_point == "after_the_answer" else 0)
    assert load_cursor(tmp_path / "cursor.json", restarted.cursor.lilypad, start).deposits == ()


def test_a_deposit_that_cannot_be_taken_leaves_the_job_unrun(
    v2: RegistryClient, chain: Any, deployer: Any, user: Any, provider: Any, tmp_path: Path
) -> None:
    """A payee that allowed the controller the deposit at runJob and took it back before the job was handled
    (here an account calling the job creator itself): the transfer reverts, the job is logged and not run."""
    start = chain.blocks.height + 1
    lines: list[str] = []
    served = serving(v2, chain, provider, tmp_path, start, lines)
    v2.token.approve(provider, LOCAL_V2_DEPOSIT, sender=user)
    v2.lilypad.runJob("cowsay:v0.0.1", ["Message=free lunch"], user, sender=user)
    v2.token.approve(provider, 0, sender=user)
    before = int(v2.token.balanceOf(provider.address))
    while served.poll():
        pass
    (line,) = [line for line in lines if line.startswith("job ")]
    assert "not taken from" in line and "ERC20InsufficientAllowance" in line and line.endswith("not run")
    assert int(v2.token.balanceOf(provider.address)) == before


def test_only_the_controller_may_serve(v2: RegistryClient, chain: Any, stranger: Any, tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="is not the controller of the local job creator"):
        serving(v2, chain, stranger, tmp_path, chain.blocks.height + 1, [])
