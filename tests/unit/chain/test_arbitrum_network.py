"""`ape run deploy --network arbitrum:sepolia:node --lilypad-v2 ...` (README, "On a real Lilypad") needs Ape's
Arbitrum plugin: the network the v2 job creator lives on is known to Ape, as chain 421614."""

from __future__ import annotations

from typing import Any


def test_arbitrum_sepolia_is_a_network_ape_knows_with_the_job_creators_chain_id(networks: Any) -> None:
    sepolia = networks.get_ecosystem("arbitrum").get_network("sepolia")
    assert sepolia.chain_id == 421614
    assert "node" in sepolia.providers
