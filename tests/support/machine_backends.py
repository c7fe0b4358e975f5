"""The Lilypad backends the registry's state machine (registry_machine.py) runs on, and what differs between
them: how money goes in and out (ether sent with the call, or an ERC-20 token approved and pulled), who answers
jobs and how (LocalLilypad's provider posts results and failures; LocalLilypadV2's controller submits results
only, so a v2 attempt fails only by expiring), what a dispatch pays Lilypad, and where the money Lilypad is owed
sits (v1: LocalLilypad holds each unanswered job's payment; v2: the registry holds it, allowed to the
controller until the controller takes it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tinyhops import spec
from tinyhops.chain.deploy import deploy_local_lilypad, deploy_local_lilypad_v2, deploy_registry, deploy_registry_v2
from tinyhops.encoding import StepDefinition

if TYPE_CHECKING:
    from registry_machine import Event, RegistryMachine

# v1: LocalLilypad charges PRICE wei for PRICED_MODULE and nothing for FREE_MODULE. A step of the priced
# module that pays less makes LocalLilypad revert, which the registry must turn into a failed step
# ("dispatch reverted") instead of reverting the whole call. v2: the job creator takes PRICE token units a
# job whatever the module; a step offering less fails its dispatch the same way (DepositAboveCost).
FREE_MODULE = "free:v0.0.1"
PRICED_MODULE = "priced:v0.0.1"
PRICE = 1_000
# A v2 step needs a timeout (no failure callback): the machine gives one to steps its strategy left without.
V2_TIMEOUT = 3600
TOKENS_PER_ACCOUNT = 10**15


@dataclass
class EtherBackend:
    """LilypadV1Registry on LocalLilypad: ether escrow, results and failures posted by a registered provider."""

    registry: Any
    lilypad: Any
    provider: Any
    name = "v1"
    answers_failures = True  # Lilypad v1 reports a failed job
    refunds_jobs = True  # LocalLilypad sends back the payment of a job whose answer no longer counts
    takes_deposits = False

    @classmethod
    def deploy(cls, project: Any, deployer: Any, provider: Any, accounts: list[Any]) -> EtherBackend:
        lilypad = deploy_local_lilypad(project, deployer, {PRICED_MODULE: PRICE}, [provider])
        return cls(deploy_registry(project, deployer, lilypad).registry, lilypad, provider)

    def prepare(self, workflow: spec.Workflow) -> spec.Workflow:
        return workflow

    def submit(
        self, machine: RegistryMachine, steps: list[tuple], sender: Any, amount: int, options: Any = None
    ) -> list[Event]:
        if options is None:
            return machine.send(self.registry.submit, steps, sender=sender, value=amount)
        # One value, split explicitly: the step deposit, then the gas deposit (options' last field).
        return machine.send(self.registry.submit, steps, options, sender=sender, value=amount + options[-1])

    def fund(self, machine: RegistryMachine, workflow_id: int, sender: Any, amount: int) -> list[Event]:
        return machine.send(self.registry.fund, workflow_id, sender=sender, value=amount)

    def fund_arguments(self, workflow_id: int) -> tuple:
        """`fund`'s arguments for a call sending nothing."""
        return (workflow_id,)

    def redrive_call(self, workflow_id: int, amount: int, sender: Any) -> tuple[Any, tuple, int]:
        """`redrive` paying `amount`: the method, its arguments and the value to send."""
        return self.registry.redrive, (workflow_id,), amount

    def balance_of(self, account: Any) -> int:
        return account.balance

    def fees(self, receipt: Any) -> int:
        return receipt.total_fees_paid

    def post_result(self, machine: RegistryMachine, job_id: int, text: str) -> list[Event]:
        return machine.send(self.lilypad.postResult, job_id, text, sender=self.provider)

    def post_failure(self, machine: RegistryMachine, job_id: int, reason: str) -> list[Event]:
        return machine.send(self.lilypad.postFailure, job_id, reason, sender=self.provider)

    def paid(self, definition: StepDefinition) -> int:
        """What a dispatch of `definition` pays Lilypad."""
        return definition.cost

    def underpaid(self, definition: StepDefinition) -> bool:
        """Whether Lilypad refuses a job of `definition` for its payment (the dispatch reverts)."""
        return definition.module == PRICED_MODULE and definition.cost < PRICE

    def registry_holds(self, machine: RegistryMachine) -> int:
        return machine.views.balance()

    def owed_to_lilypad_in_registry(self, machine: RegistryMachine) -> int:
        return 0  # v1 pays with the call: nothing of Lilypad's stays in the registry

    def check_lilypad(self, machine: RegistryMachine) -> None:
        """LocalLilypad holds exactly the payments of the jobs nobody has answered or reclaimed."""
        unanswered = sum(machine.cost_of(j) for j in machine.jobs if j not in machine.answered)
        held = self.lilypad.balance
        assert held == unanswered, f"LocalLilypad holds {held} wei, its unanswered jobs paid {unanswered}"

    def stranger_answer(self, job_id: int, text: str, failure: bool) -> tuple[str, Any, tuple]:
        """A stranger answering as if a provider: the error, method and arguments of that call."""
        post = self.lilypad.postFailure if failure else self.lilypad.postResult
        return "NotProvider", post, (job_id, text)

    def impostor_answer(self, job_id: int, text: str) -> tuple[str, Any, tuple]:
        """A stranger calling the registry's callback straight, as if Lilypad."""
        return "NotLilypad", self.registry.receiveJobResults, (job_id, text)


@dataclass
class TokenBackend:
    """LilypadV2Registry on LocalLilypadV2: token escrow, each dispatch allows the controller the job's deposit,
    results submitted by the controller, no failure callback."""

    registry: Any
    job_creator: Any
    token: Any
    controller: Any
    name = "v2"
    answers_failures = False
    refunds_jobs = False  # the controller may take a job's deposit whatever becomes of its answer
    takes_deposits = True

    @classmethod
    def deploy(cls, project: Any, deployer: Any, provider: Any, accounts: list[Any]) -> TokenBackend:
        job_creator = deploy_local_lilypad_v2(project, deployer, provider, PRICE)
        token = project.LocalLilypadToken.at(job_creator.getTokenAddress())
        for account in accounts:
            token.mint(account, TOKENS_PER_ACCOUNT, sender=deployer)
        registry = deploy_registry_v2(project, deployer, job_creator).registry
        return cls(registry, job_creator, token, provider)

    def prepare(self, workflow: spec.Workflow) -> spec.Workflow:
        """Every step with a timeout; steps of the free module offer at least the deposit (so only the priced
        module's underpaying steps fail their dispatch, as on v1)."""
        steps = tuple(
            replace(
                step,
                timeout=step.timeout or V2_TIMEOUT,
                cost_wei=step.cost_wei if step.module == PRICED_MODULE else step.cost_wei + PRICE,
            )
            for step in workflow.steps
        )
        return replace(workflow, steps=steps)

    def _approve(self, sender: Any, amount: int) -> None:
        self.token.approve(self.registry, amount, sender=sender)

    def submit(
        self, machine: RegistryMachine, steps: list[tuple], sender: Any, amount: int, options: Any = None
    ) -> list[Event]:
        self._approve(sender, amount)
        if options is None:
            return machine.send(self.registry.submit, steps, amount, sender=sender)
        # The gas deposit is ether, beside the token escrow.
        return machine.send(self.registry.submit, steps, amount, options, sender=sender, value=options[-1])

    def fund(self, machine: RegistryMachine, workflow_id: int, sender: Any, amount: int) -> list[Event]:
        self._approve(sender, amount)
        return machine.send(self.registry.fund, workflow_id, amount, sender=sender)

    def fund_arguments(self, workflow_id: int) -> tuple:
        return (workflow_id, 0)

    def redrive_call(self, workflow_id: int, amount: int, sender: Any) -> tuple[Any, tuple, int]:
        """`redrive` paying `amount`, approved first: the method, its arguments and the value to send."""
        self._approve(sender, amount)
        return self.registry.redrive, (workflow_id, amount), 0

    def balance_of(self, account: Any) -> int:
        return self.token.balanceOf(account)

    def fees(self, receipt: Any) -> int:
        return 0  # gas is paid in ether, the escrow is in the token

    def post_result(self, machine: RegistryMachine, job_id: int, text: str) -> list[Event]:
        return machine.send(self.job_creator.submitResults, job_id, f"deal-{job_id}", text, sender=self.controller)

    def post_failure(self, machine: RegistryMachine, job_id: int, reason: str) -> list[Event]:
        raise AssertionError("Lilypad v2 has no failure callback")

    def paid(self, definition: StepDefinition) -> int:
        return PRICE

    def underpaid(self, definition: StepDefinition) -> bool:
        return definition.cost < PRICE

    def registry_holds(self, machine: RegistryMachine) -> int:
        return self.token.balanceOf(self.registry)

    def owed_to_lilypad_in_registry(self, machine: RegistryMachine) -> int:
        """Deposits of dispatched jobs the controller has not taken yet: still in the registry, allowed to it."""
        return PRICE * (len(machine.jobs) - len(machine.deposits_taken))

    def check_lilypad(self, machine: RegistryMachine) -> None:
        """The controller is allowed exactly the deposits it has not taken and holds exactly those it took; the
        job creator never holds a token unit."""
        allowed = self.token.allowance(self.registry, self.controller)
        assert allowed == self.owed_to_lilypad_in_registry(machine), f"the controller is allowed {allowed}"
        assert self.token.balanceOf(self.controller) == PRICE * len(machine.deposits_taken)
        assert self.token.balanceOf(self.job_creator) == 0

    def take_deposit(self, amount: int) -> Any:
        """The job-creator service's first move on JobAdded: take the deposit from the payee."""
        return self.token.transferFrom(self.registry, self.controller, amount, sender=self.controller)

    def stranger_answer(self, job_id: int, text: str, failure: bool) -> tuple[str, Any, tuple]:
        return "NotController", self.job_creator.submitResults, (job_id, "deal", text)

    def impostor_answer(self, job_id: int, text: str) -> tuple[str, Any, tuple]:
        return "NotLilypad", self.registry.submitResults, (job_id, "deal", text)


Backend = EtherBackend | TokenBackend
BACKENDS: dict[str, type[EtherBackend] | type[TokenBackend]] = {"v1": EtherBackend, "v2": TokenBackend}
