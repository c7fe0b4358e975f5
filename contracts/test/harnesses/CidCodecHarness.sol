// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CidCodec} from "../../libraries/CidCodec.sol";

/// @title CidCodecHarness
/// @notice Test contract exposing CidCodec, so its checks and round trip can be compared with py-cid.
contract CidCodecHarness {
    /// @notice CidCodec.compress.
    /// @param cid The CID text.
    /// @return form CidCodec.FORM_V0, a CIDv1 codec, or 0 when not a CID in an accepted form.
    /// @return digest The digest.
    function compress(string calldata cid) external pure returns (uint256 form, bytes32 digest) {
        return CidCodec.compress(cid);
    }

    /// @notice CidCodec.expand.
    /// @param form What compress returned.
    /// @param digest The digest.
    /// @return The CID text.
    function expand(uint256 form, bytes32 digest) external pure returns (string memory) {
        return CidCodec.expand(form, digest);
    }
}
