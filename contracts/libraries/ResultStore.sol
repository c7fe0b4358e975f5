// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CidCodec} from "./CidCodec.sol";

/// @title ResultStore
/// @notice Result CIDs of steps, keyed by workflowId << 16 | stepIndex: one slot each, the digest of a CID
/// that CidCodec accepted. A result that is not such a CID is never stored.
library ResultStore {
    /// @notice The stored results.
    struct Results {
        mapping(uint256 key => bytes32) digests;
    }

    /// @notice Stores a result if it is a CID in an accepted form.
    /// @param results The store.
    /// @param key The step's key.
    /// @param cid The text Lilypad reported.
    /// @return form How it was packed, to be kept in the step's word and passed back to `load`; 0 when
    /// `cid` is not a CID and nothing was stored.
    function store(Results storage results, uint256 key, string calldata cid) internal returns (uint256 form) {
        bytes32 digest;
        (form, digest) = CidCodec.compress(cid);
        if (form != 0) results.digests[key] = digest;
    }

    /// @notice Loads a result CID exactly as it was posted.
    /// @param results The store.
    /// @param key The step's key.
    /// @param form What `store` returned for it (nonzero).
    /// @return cid The CID text.
    function load(Results storage results, uint256 key, uint256 form) internal view returns (string memory cid) {
        return CidCodec.expand(form, results.digests[key]);
    }
}
