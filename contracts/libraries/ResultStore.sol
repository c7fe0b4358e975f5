// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CidCodec} from "./CidCodec.sol";

/// @title ResultStore
/// @notice Result CIDs of steps, keyed by workflowId << 16 | stepIndex: one slot for the usual
/// 59-character CIDv1 (CidCodec), the full text for anything else.
library ResultStore {
    /// @notice The stored results.
    struct Results {
        mapping(uint256 key => bytes32) digests;
        mapping(uint256 key => string) texts;
    }

    /// @notice Stores a result CID.
    /// @param results The store.
    /// @param key The step's key.
    /// @param cid The CID as Lilypad reported it.
    /// @return codec How it was stored, to be kept in the step's word and passed back to `load`: the
    /// CID's multicodec when packed, 0 when kept as text.
    function store(Results storage results, uint256 key, string calldata cid) internal returns (uint256 codec) {
        bytes32 digest;
        (codec, digest) = CidCodec.compress(cid);
        if (codec != 0) results.digests[key] = digest;
        else results.texts[key] = cid;
    }

    /// @notice Loads a result CID exactly as it was stored.
    /// @param results The store.
    /// @param key The step's key.
    /// @param codec What `store` returned for it.
    /// @return cid The CID text.
    function load(Results storage results, uint256 key, uint256 codec) internal view returns (string memory cid) {
        return codec != 0 ? CidCodec.expand(codec, results.digests[key]) : results.texts[key];
    }
}
