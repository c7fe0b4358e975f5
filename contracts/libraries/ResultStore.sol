// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ResultStore
/// @notice Result CIDs of steps, keyed by workflowId << 16 | stepIndex.
library ResultStore {
    /// @notice The stored results.
    struct Results {
        mapping(uint256 key => string) text;
    }

    /// @notice Stores a result CID.
    /// @param results The store.
    /// @param key The step's key.
    /// @param cid The CID as Lilypad reported it.
    /// @return codec How it was stored, to be passed back to `load` (kept in the step's word).
    function store(Results storage results, uint256 key, string calldata cid) internal returns (uint256 codec) {
        results.text[key] = cid;
        return 0;
    }

    /// @notice Loads a result CID.
    /// @param results The store.
    /// @param key The step's key.
    /// @param codec What `store` returned for it.
    /// @return cid The CID text.
    function load(Results storage results, uint256 key, uint256 codec) internal view returns (string memory cid) {
        codec;
        return results.text[key];
    }
}
