// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CidCodec} from "../libraries/CidCodec.sol";

/// @title CidCodecHarness
/// @notice Test contract exposing CidCodec, so its round trip can be checked against py-cid.
contract CidCodecHarness {
    /// @notice CidCodec.compress.
    /// @param cid The CID text.
    /// @return codec The multicodec, 0 when not packable.
    /// @return digest The digest.
    function compress(string calldata cid) external pure returns (uint256 codec, bytes32 digest) {
        return CidCodec.compress(cid);
    }

    /// @notice CidCodec.expand.
    /// @param codec The multicodec.
    /// @param digest The digest.
    /// @return The CID text.
    function expand(uint256 codec, bytes32 digest) external pure returns (string memory) {
        return CidCodec.expand(codec, digest);
    }
}
