// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title CidCodec
/// @notice Checks that a result is a well-formed CID and packs it into one storage word, whatever its form.
/// A result is accepted only in the two forms Lilypad and IPFS print, both with a sha2-256 multihash:
/// - CIDv0: 46 base58btc characters ("Qm…"), the bytes 0x12 0x20 followed by the 32-byte digest. This is
///   what Lilypad's job creator reports by default (a UnixFS directory, dag-pb).
/// - CIDv1 in lowercase base32 ("b" + 58 or 60 characters): 0x01, the codec as a one- or two-byte varint
///   (raw "bafk…", dag-pb "bafy…", dag-cbor, dag-json, …), 0x12 0x20, the digest.
/// Either way only the digest takes a slot; the form (CIDv0, or the CIDv1 codec) fits in 16 bits of the
/// step's word. Anything else (another base, upper case, another hash, nonzero padding bits, a stray
/// character, any other length) is refused, so the text `expand` rebuilds is byte for byte what was posted.
/// So is an all-zero digest (no content has it): a stored result is never a zero word.
/// @dev Forms: 0 is "not a CID"; FORM_V0 marks a CIDv0; 1..0x3fff is the codec of a CIDv1.
library CidCodec {
    /// @notice The form of a CIDv0 (its codec, dag-pb, is implied).
    uint256 internal constant FORM_V0 = 0x8000;

    /// @notice The longest text that can be a CID here: "b" + 60 base32 characters.
    uint256 internal constant MAX_CID_BYTES = 61;

    /// @dev RFC 4648 base32 alphabet, lowercase: exactly 32 bytes, so `byte(i, BASE32)` is a lookup.
    bytes32 private constant BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// @dev The Bitcoin base58 alphabet: 58 bytes, two words (the first 32, then 26 left-aligned).
    bytes32 private constant BASE58_HEAD = "123456789ABCDEFGHJKLMNPQRSTUVWXY";
    bytes32 private constant BASE58_TAIL = "Zabcdefghijkmnopqrstuvwxyz";

    /// @dev Length of a CIDv0, and the multihash prefix (sha2-256, 32 bytes) its number starts with.
    uint256 private constant V0_CHARS = 46;
    uint256 private constant SHA2_256 = 0x1220;

    /// @notice Checks a result and splits it into its form and digest.
    /// @param cid The text a job reported.
    /// @return form FORM_V0, a CIDv1 codec, or 0 when `cid` is not a CID in an accepted form.
    /// @return digest The sha2-256 digest.
    function compress(string calldata cid) internal pure returns (uint256 form, bytes32 digest) {
        uint256 length = bytes(cid).length;
        if (length == V0_CHARS) return _compressV0(cid);
        if ((length == 59 || length == 61) && bytes(cid)[0] == "b") return _compressV1(cid, length - 1);
        return (0, 0);
    }

    /// @notice Rebuilds the CID text from what `compress` returned.
    /// @param form FORM_V0 or a CIDv1 codec.
    /// @param digest The sha2-256 digest.
    /// @return cid The CID exactly as it was posted.
    function expand(uint256 form, bytes32 digest) internal pure returns (string memory cid) {
        return form == FORM_V0 ? _expandV0(digest) : _expandV1(form, digest);
    }

    /// @dev base58btc: the 46 characters are one number, 0x1220 << 256 | digest, which needs 270 bits,
    /// kept as (high, low) words. Any number in that range has exactly 46 digits, the first two "Qm".
    function _compressV0(string calldata cid) private pure returns (uint256 form, bytes32 digest) {
        uint256 rejected;
        uint256 high;
        uint256 low;
        assembly ("memory-safe") {
            // Decode table in scratch memory: byte (c - 0x31) is the value of character c, 0xff if none.
            let table := mload(0x40)
            mstore(table, 0x000102030405060708ffffffffffffff090a0b0c0d0e0f10ff1112131415ff16)
            mstore(add(table, 0x20), 0x1718191a1b1c1d1e1f20ffffffffffff2122232425262728292a2bff2c2d2e2f)
            mstore(add(table, 0x40), 0x30313233343536373839ffffffffffffffffffffffffffffffffffffffffffff)
            for { let i := 0 } lt(i, V0_CHARS) { i := add(i, 1) } {
                let index := sub(byte(0, calldataload(add(cid.offset, i))), 0x31) // wraps below 0x31
                rejected := or(rejected, gt(index, 95))
                let v := byte(0, mload(add(table, and(index, 0x7f))))
                rejected := or(rejected, gt(v, 57))
                // (high, low) = (high, low) * 58 + v, with the 512-bit product split as in mulmod tricks.
                let wide := mulmod(low, 58, not(0))
                let product := mul(low, 58)
                let carry := sub(sub(wide, product), lt(wide, product))
                low := add(product, v)
                carry := add(carry, lt(low, product))
                high := add(mul(high, 58), carry)
            }
        }
        if (rejected != 0 || high != SHA2_256 || low == 0) return (0, 0);
        return (FORM_V0, bytes32(low));
    }

    /// @dev base32: `chars` characters, 5 bits each, are the CID's bytes (36 with a one-byte codec, 37 with
    /// a two-byte one) followed by 2 or 4 zero padding bits. Accumulated into (high, low) words.
    function _compressV1(string calldata cid, uint256 chars) private pure returns (uint256 form, bytes32 digest) {
        uint256 rejected;
        uint256 high;
        uint256 low;
        assembly ("memory-safe") {
            // Decode table in scratch memory: byte (c - 0x32) is the value of character c, 0xff if none.
            let table := mload(0x40)
            mstore(table, 0x1a1b1c1d1e1fffffffffffffffffffffffffffffffffffffffffffffffffffff)
            mstore(add(table, 0x20), 0xffffffffffffffffffffffffffffff000102030405060708090a0b0c0d0e0f10)
            mstore(add(table, 0x40), 0x111213141516171819ffffffffffffffffffffffffffffffffffffffffffffff)
            let start := add(cid.offset, 1)
            for { let i := 0 } lt(i, chars) { i := add(i, 1) } {
                let index := sub(byte(0, calldataload(add(start, i))), 0x32) // wraps below 0x32
                rejected := or(rejected, gt(index, 72))
                let v := byte(0, mload(add(table, and(index, 0x7f))))
                rejected := or(rejected, gt(v, 31))
                high := or(shl(5, high), shr(251, low))
                low := or(shl(5, low), v)
            }
        }
        uint256 padding = chars == 58 ? 2 : 4;
        if (rejected != 0 || low & ((1 << padding) - 1) != 0) return (0, 0);
        low = (low >> padding) | (high << (256 - padding));
        high >>= padding;
        if (high & 0xffff != SHA2_256 || low == 0) return (0, 0);
        if (chars == 58) {
            // 0x01 | codec | 0x12 0x20
            uint256 codec = (high >> 16) & 0xff;
            if (high >> 24 != 0x01 || codec == 0 || codec >= 0x80) return (0, 0);
            return (codec, bytes32(low));
        }
        // 0x01 | codec varint (continuation byte, final byte) | 0x12 0x20
        uint256 first = (high >> 24) & 0xff;
        uint256 second = (high >> 16) & 0xff;
        if (high >> 32 != 0x01 || first < 0x80 || second == 0 || second >= 0x80) return (0, 0);
        return ((first & 0x7f) | (second << 7), bytes32(low));
    }

    /// @dev base58btc of 0x1220 << 256 | digest, as three limbs (high, middle, low 128 bits) divided by 58
    /// once per digit, written from the last character back.
    function _expandV0(bytes32 digest) private pure returns (string memory cid) {
        cid = new string(V0_CHARS);
        assembly ("memory-safe") {
            let out := add(cid, 0x20)
            let top := SHA2_256
            let middle := shr(128, digest)
            let bottom := and(digest, 0xffffffffffffffffffffffffffffffff)
            for { let i := V0_CHARS } gt(i, 0) { i := sub(i, 1) } {
                let r := mod(top, 58)
                top := div(top, 58)
                let t := or(shl(128, r), middle)
                middle := div(t, 58)
                r := mod(t, 58)
                t := or(shl(128, r), bottom)
                bottom := div(t, 58)
                r := mod(t, 58)
                let c := byte(r, BASE58_HEAD)
                if gt(r, 31) { c := byte(sub(r, 32), BASE58_TAIL) }
                mstore8(add(out, sub(i, 1)), c)
            }
        }
    }

    /// @dev "b" + base32 of the CID's bytes and the zero padding bits, read 5 bits at a time from the top of
    /// the (high, low) stream.
    function _expandV1(uint256 codec, bytes32 digest) private pure returns (string memory cid) {
        uint256 chars;
        uint256 high;
        if (codec < 0x80) {
            chars = 58;
            high = (0x01 << 24) | (codec << 16) | SHA2_256;
        } else {
            chars = 60;
            high = (0x01 << 32) | ((0x80 | (codec & 0x7f)) << 24) | ((codec >> 7) << 16) | SHA2_256;
        }
        uint256 padding = chars == 58 ? 2 : 4;
        uint256 low = uint256(digest);
        high = (high << padding) | (low >> (256 - padding));
        low <<= padding;
        cid = new string(chars + 1);
        assembly ("memory-safe") {
            let out := add(cid, 0x20)
            mstore8(out, 0x62) // "b"
            for { let i := 0 } lt(i, chars) { i := add(i, 1) } {
                let shift := mul(sub(sub(chars, 1), i), 5)
                let v
                switch lt(shift, 256)
                case 1 { v := or(shr(shift, low), shl(sub(256, shift), high)) }
                default { v := shr(sub(shift, 256), high) }
                mstore8(add(out, add(1, i)), byte(and(v, 31), BASE32))
            }
        }
    }
}
