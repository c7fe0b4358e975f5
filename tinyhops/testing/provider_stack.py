"""A fresh deployment with the real provider beside it: what the end-to-end tests, the reliability suite and the
end-to-end benchmark all start from.

Fresh local Lilypad and registry on the connected chain, on either backend: v1's LocalLilypad (the provider test
account registered) or v2's LocalLilypadV2 (the provider test account its controller; the first test accounts hold
its token), recorded in a
deployments file of their own in `folder`, the provider's state in `folder/home`; provider children
(`ape run provider`) started on it are remembered so that one call stops them all. Suites add their own views
(an Ape registry client, a raw JSON-RPC stack) by subclassing and naming them in `extras`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from tinyhops.chain.accounts import PROVIDER_TEST_ACCOUNT
from tinyhops.chain.address_book import Deployment
from tinyhops.paths import DEPLOYMENTS_VARIABLE, HOME_VARIABLE
from tinyhops.provider.store import ContentStore
from tinyhops.testing.provider_process import ProviderProcess, deploy_for_provider, start_provider

TOKEN_HOLDERS = 3  # test accounts 0-2 hold the v2 token: the deployer, the user, a stranger
POLL_SECONDS = 0.2  # the provider's poll in tests: fast enough that waits follow the chain closely


@dataclass(kw_only=True)
class ProviderStack:
    chain_uri: str
    deployment: Deployment
    home: Path
    deployments_file: Path
    children: list[ProviderProcess] = field(default_factory=list)

    @classmethod
    def deploy(cls, project: Any, chain: Any, accounts: Any, folder: Path, backend: str = "v1") -> Self:
        """Deploy `backend` from test account 0 for the provider test account, on Ape's connected `chain`."""
        home, deployments_file = cls.layout(folder)
        provider = accounts[PROVIDER_TEST_ACCOUNT].address
        holders = tuple(accounts[index].address for index in range(TOKEN_HOLDERS))
        deployment = deploy_for_provider(
            project, chain, accounts[0], provider, deployments_file, backend, holders if backend == "v2" else ()
        )
        return cls(
            chain_uri=chain.provider.uri,
            deployment=deployment,
            home=home,
            deployments_file=deployments_file,
            **cls.extras(project, chain, accounts, deployment),
        )

    @staticmethod
    def layout(folder: Path) -> tuple[Path, Path]:
        """The provider's state folder and the deployments file of a stack kept in `folder`."""
        return folder / "home", folder / "deployments.json"

    @classmethod
    def environment_in(cls, folder: Path) -> dict[str, str]:
        """What a child process (the CLI, the provider) needs to find the state and addresses kept in `folder`."""
        home, deployments_file = cls.layout(folder)
        return {HOME_VARIABLE: str(home), DEPLOYMENTS_VARIABLE: str(deployments_file)}

    @classmethod
    def extras(cls, project: Any, chain: Any, accounts: Any, deployment: Deployment) -> dict[str, Any]:
        """The fields a subclass adds, built once the contracts are deployed."""
        return {}

    @property
    def store(self) -> ContentStore:
        return ContentStore(self.home / "store")

    def start_provider(self, *args: str, poll: float = POLL_SECONDS) -> ProviderProcess:
        """`ape run provider --poll POLL ARGS...` on this stack, as a child process."""
        child = start_provider(self.chain_uri, self.home, self.deployments_file, "--poll", str(poll), *args)
        self.children.append(child)
        return child

    def output(self) -> str:
        """Everything every provider child printed, in the order they were started."""
        return "\n".join(child.output for child in self.children)

    def kill_children(self) -> None:
        for child in self.children:
            child.kill()
