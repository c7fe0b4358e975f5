// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title DataContract
/// @notice Immutable byte arrays kept as contract code (the SSTORE2 pattern, as in solady's SSTORE2):
/// writing costs 200 gas a byte instead of 20,000 a word, reading is one EXTCODECOPY.
/// @dev A blob longer than one contract may hold is split into chunks of CHUNK_SIZE bytes; byte `offset`
/// of the blob lives in chunk `offset / CHUNK_SIZE`, so a reader needs no index. Each chunk's code starts
/// with a STOP byte so it can never be called into.
library DataContract {
    /// @notice Thrown when creating a data contract failed (out of gas, or an address collision).
    error DataContractNotCreated();

    /// @dev Bytes per chunk: EIP-170's 24,576-byte code limit less the STOP byte, rounded down to whole
    /// words so that a 32-byte record never straddles two chunks when records are word-aligned.
    uint256 internal constant CHUNK_SIZE = 24_544;

    /// @notice Stores `data[start:start+length]` as the code of a new contract.
    /// @param data The blob.
    /// @param start First byte to store.
    /// @param length Number of bytes, at most CHUNK_SIZE.
    /// @return pointer Address of the data contract.
    function write(bytes memory data, uint256 start, uint256 length) internal returns (address pointer) {
        assembly ("memory-safe") {
            // Init code (10 bytes) returning what follows it, the runtime code: a STOP byte, then the data.
            //   61 LLLL PUSH2 L | 80 DUP1 | 60 0a PUSH1 10 | 3d RETURNDATASIZE (0) | 39 CODECOPY
            //   3d RETURNDATASIZE (0) | f3 RETURN          (L = 1 + length)
            // It is written into the 11 bytes just before the data, which are restored afterwards.
            let src := add(add(data, 0x20), start)
            let slot := sub(src, 0x20)
            let saved := mload(slot)
            let codeLength := add(length, 1)
            mstore(slot, or(or(shl(80, 0x61), shl(64, codeLength)), shl(8, 0x80600a3d393df3)))
            pointer := create(0, sub(src, 11), add(length, 11))
            mstore(slot, saved)
        }
        if (pointer == address(0)) revert DataContractNotCreated();
    }

    /// @notice Copies `length` bytes at `within` of one chunk into `out` at `outOffset`.
    /// @param pointer The chunk's data contract.
    /// @param within Offset inside the chunk.
    /// @param out Destination, at least `outOffset + length` long.
    /// @param outOffset Where in `out` to write.
    /// @param length Number of bytes.
    function copy(address pointer, uint256 within, bytes memory out, uint256 outOffset, uint256 length)
        internal
        view
    {
        assembly ("memory-safe") {
            extcodecopy(pointer, add(add(out, 0x20), outOffset), add(within, 1), length)
        }
    }

    /// @notice Reads one 32-byte word at `offset` of a chunk (offset word-aligned, so it never straddles).
    /// @param pointer The chunk's data contract.
    /// @param within Offset inside the chunk.
    /// @return word The word.
    function readWord(address pointer, uint256 within) internal view returns (bytes32 word) {
        assembly ("memory-safe") {
            let scratch := mload(0x40)
            extcodecopy(pointer, scratch, add(within, 1), 32)
            word := mload(scratch)
        }
    }
}
