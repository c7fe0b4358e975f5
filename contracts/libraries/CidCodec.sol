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

    /// @dev Length of a CIDv0, and the multihash prefix (sha2-256, 32 bytes) its number starts with.
    uint256 private constant V0_CHARS = 46;
    uint256 private constant SHA2_256 = 0x1220;

    /// @dev 58^14 and 58^16, for splitting a CIDv0's number into 32 + 14 digits and 16 + 16.
    uint256 private constant POW58_14 = 4875194084160298409672704;
    uint256 private constant POW58_16 = 16400152899115243850138976256;

    /// @dev One in every byte, 0x80 in every byte, "1" (0x31) in every byte: for SWAR, every byte at once.
    uint256 private constant ONES = 0x0101010101010101010101010101010101010101010101010101010101010101;
    uint256 private constant TOPS = 0x8080808080808080808080808080808080808080808080808080808080808080;
    uint256 private constant ONES_0X31 = 0x3131313131313131313131313131313131313131313131313131313131313131;

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

    /// @dev base58btc: the 46 characters are one number, 0x1220 << 256 | digest, which needs 270 bits.
    /// Any number in that range has exactly 46 digits, the first two "Qm". Decoded 32 characters at a
    /// time (SWAR, as base32): characters 0-31 give A, 32-45 (right-aligned, led by "1"s, which are 0)
    /// give B, and the number is A * 58^14 + B, split into (high, low) words.
    function _compressV0(string calldata cid) private pure returns (uint256 form, bytes32 digest) {
        (uint256 first, bool firstOk) = _base58Word(_calldataWord(cid, 0));
        // The last 14 characters, right-aligned, the 18 bytes above them "1" (digit 0).
        uint256 lastWord = (_calldataWord(cid, 32) >> 144) | (ONES_0X31 << 112);
        (uint256 last, bool lastOk) = _base58Word(lastWord);
        if (!firstOk || !lastOk) return (0, 0);
        uint256 high;
        uint256 low;
        assembly ("memory-safe") {
            // (high, low) = first * 58^14 + last, the 512-bit product split as in mulmod tricks.
            let wide := mulmod(first, POW58_14, not(0))
            let product := mul(first, POW58_14)
            high := sub(sub(wide, product), lt(wide, product))
            low := add(product, last)
            high := add(high, lt(low, product))
        }
        if (high != SHA2_256 || low == 0) return (0, 0);
        return (FORM_V0, bytes32(low));
    }

    /// @dev Per byte of `x` (each below 0x80), 1 where the byte is at least `threshold`, else 0.
    function _atLeast(uint256 x, uint256 threshold) private pure returns (uint256) {
        unchecked {
            return ((x + ONES * (0x80 - threshold)) & TOPS) >> 7;
        }
    }

    /// @dev Base58 digit values 0-57, one per byte, to their characters, every byte at once.
    function _base58Chars(uint256 v) private pure returns (uint256) {
        unchecked {
            return v + ONES * 0x31 + 7 * _atLeast(v, 9) + _atLeast(v, 17) + _atLeast(v, 22) + 6 * _atLeast(v, 33)
                + _atLeast(v, 44);
        }
    }

    /// @dev The number the 32 base58 characters of `word` spell (below 58^32), and whether every one of
    /// them is a base58 character: mapped to digit values every byte at once, checked by mapping back
    /// (which catches the alphabet's gaps: 0, I, O, l and the punctuation between), then combined in
    /// halving steps (16-bit lanes of two digits, 32 of four, … 256 of 32).
    function _base58Word(uint256 word) private pure returns (uint256 value, bool ok) {
        unchecked {
            if (word & TOPS != 0 || _atLeast(word, 0x31) != ONES || _atLeast(word, 0x7b) != 0) return (0, false);
            uint256 v = word - ONES * 0x31 - 7 * _atLeast(word, 0x41) - _atLeast(word, 0x4a) - _atLeast(word, 0x50)
                - 6 * _atLeast(word, 0x61) - _atLeast(word, 0x6d);
            if (_base58Chars(v) != word) return (0, false);
            uint256 m = 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            v = ((v >> 8) & m) * 58 + (v & m);
            m = 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;
            v = ((v >> 16) & m) * 3364 + (v & m);
            m = 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
            v = ((v >> 32) & m) * 11316496 + (v & m);
            m = 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
            v = ((v >> 64) & m) * 128063081718016 + (v & m);
            return ((v >> 128) * POW58_16 + (v & type(uint128).max), true);
        }
    }

    /// @dev base32: `chars` characters (58 or 60), 5 bits each, are the CID's bytes (36 with a one-byte
    /// codec, 37 with a two-byte one) followed by 2 or 4 zero padding bits. Decoded 32 characters at a
    /// time, every byte of a word at once (SWAR): validated, mapped to its 5-bit value, then the 32 values
    /// are packed into 160 bits by halving steps. The characters after the last are read as "a" (0).
    function _compressV1(string calldata cid, uint256 chars) private pure returns (uint256 form, bytes32 digest) {
        uint256 first = _base32Word(_calldataWord(cid, 1), 32);
        uint256 second = _base32Word(_calldataWord(cid, 33), chars - 32);
        if (first > type(uint160).max || second > type(uint160).max) return (0, 0);
        uint256 padding = chars == 58 ? 2 : 4;
        // The 320 bits first|second hold the 5 * chars bits of the text, then 5 * (64 - chars) zero bits.
        uint256 fake = 5 * (64 - chars);
        if ((second >> fake) & ((1 << padding) - 1) != 0) return (0, 0);
        uint256 shift = fake + padding;
        uint256 low = (first << (160 - shift)) | (second >> shift);
        uint256 high = first >> (96 + shift);
        if (high & 0xffff != SHA2_256 || low == 0) return (0, 0);
        if (chars == 58) {
            // 0x01 | codec | 0x12 0x20
            uint256 codec = (high >> 16) & 0xff;
            if (high >> 24 != 0x01 || codec == 0 || codec >= 0x80) return (0, 0);
            return (codec, bytes32(low));
        }
        // 0x01 | codec varint (continuation byte, final byte) | 0x12 0x20
        uint256 head = (high >> 24) & 0xff;
        uint256 tail = (high >> 16) & 0xff;
        if (high >> 32 != 0x01 || head < 0x80 || tail == 0 || tail >= 0x80) return (0, 0);
        return ((head & 0x7f) | (tail << 7), bytes32(low));
    }

    /// @dev 32 bytes of a calldata string from byte `offset` (what lies past its end is whatever follows).
    function _calldataWord(string calldata text, uint256 offset) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(add(text.offset, offset))
        }
    }

    /// @dev The 160-bit value of the first `valid` base32 characters of `word` (the rest read as "a"), or
    /// a value above 160 bits when one of them is not a lowercase base32 character.
    function _base32Word(uint256 word, uint256 valid) private pure returns (uint256 value) {
        unchecked {
            if (valid < 32) {
                uint256 fill = (uint256(1) << (8 * (32 - valid))) - 1;
                word = (word & ~fill) | (fill & (ONES * 0x61));
            }
            if (word & TOPS != 0) return type(uint256).max; // not ASCII
            // With every byte below 0x80, adding at most 0x7f to each byte never carries into the next.
            uint256 letters = (word + ONES * 0x1f) & ~(word + ONES * 0x05) & TOPS; // 0x61 <= c <= 0x7a
            uint256 digits = (word + ONES * 0x4e) & ~(word + ONES * 0x48) & TOPS; // 0x32 <= c <= 0x37
            if (letters | digits != TOPS) return type(uint256).max;
            uint256 v = word - (letters >> 7) * 0x61 - (digits >> 7) * 0x18; // a-z: 0-25, 2-7: 26-31
            // Pack: 8-bit lanes of 5 bits -> 16-bit lanes of 10 -> 32 of 20 -> 64 of 40 -> 128 of 80 -> 160.
            uint256 m = 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            v = (((v >> 8) & m) << 5) | (v & m);
            m = 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;
            v = (((v >> 16) & m) << 10) | (v & m);
            m = 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
            v = (((v >> 32) & m) << 20) | (v & m);
            m = 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
            v = (((v >> 64) & m) << 40) | (v & m);
            value = ((v >> 128) << 80) | (v & type(uint128).max);
        }
    }

    /// @dev The 32 base32 characters of a 160-bit value, one per byte of the word (the inverse of
    /// `_base32Word`'s packing, then 0-25 to a-z and 26-31 to 2-7, every byte at once).
    function _base32Chars(uint256 value) private pure returns (uint256 word) {
        unchecked {
            uint256 v = ((value >> 80) << 128) | (value & ((1 << 80) - 1));
            uint256 m = 0x0000000000000000000000ffffffffff0000000000000000000000ffffffffff; // 40 bits in each 128-bit lane
            v = (((v >> 40) & m) << 64) | (v & m);
            m = 0x00000000000fffff00000000000fffff00000000000fffff00000000000fffff;
            v = (((v >> 20) & m) << 32) | (v & m);
            m = 0x000003ff000003ff000003ff000003ff000003ff000003ff000003ff000003ff;
            v = (((v >> 10) & m) << 16) | (v & m);
            m = 0x001f001f001f001f001f001f001f001f001f001f001f001f001f001f001f001f;
            v = (((v >> 5) & m) << 8) | (v & m);
            uint256 digits = (v + ONES * 0x66) & TOPS; // value >= 26
            word = v + ONES * 0x61 - (digits >> 7) * 0x49;
        }
    }

    /// @dev base58btc of 0x1220 << 256 | digest: the number is split into A (the first 32 digits) and B (the
    /// last 14) by one division by 58^14 (as three 128-bit limbs), each turned into its digits two at a
    /// time by small divisions, collected a byte each into a word, and every byte mapped to its character at
    /// once.
    function _expandV0(bytes32 digest) private pure returns (string memory cid) {
        uint256 first;
        uint256 last;
        assembly ("memory-safe") {
            let middle := shr(128, digest)
            let bottom := and(digest, 0xffffffffffffffffffffffffffffffff)
            // 0x1220 < 58^14, so the top limb's quotient is 0 and its remainder 0x1220.
            let t := or(shl(128, SHA2_256), middle)
            middle := div(t, POW58_14)
            t := or(shl(128, mod(t, POW58_14)), bottom)
            bottom := div(t, POW58_14)
            let rest := mod(t, POW58_14)
            let big := or(shl(128, middle), bottom)
            // Two digits a turn (58^2 = 3364), the earlier one in the upper byte.
            for { let i := 0 } lt(i, 16) { i := add(i, 1) } {
                let pair := mod(big, 3364)
                big := div(big, 3364)
                first := or(shr(16, first), or(shl(248, div(pair, 58)), shl(240, mod(pair, 58))))
            }
            for { let i := 0 } lt(i, 7) { i := add(i, 1) } {
                let pair := mod(rest, 3364)
                rest := div(rest, 3364)
                last := or(shr(16, last), or(shl(248, div(pair, 58)), shl(240, mod(pair, 58))))
            }
        }
        uint256 head = _base58Chars(first);
        uint256 tail = _base58Chars(last);
        assembly ("memory-safe") {
            cid := mload(0x40)
            mstore(0x40, add(cid, 0x60))
            mstore(cid, V0_CHARS)
            mstore(add(cid, 0x20), head)
            // The last 14 characters, then zeros: only the top 14 bytes of `tail` are digits.
            mstore(add(cid, 0x40), and(tail, not(sub(shl(144, 1), 1))))
        }
    }

    /// @dev "b" + base32 of the CID's bytes and the zero padding bits: the (high, digest) number shifted
    /// into 320 bits, each 160-bit half turned into 32 characters at once (`_base32Chars`).
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
        uint256 shift = 5 * (64 - chars) + (chars == 58 ? 2 : 4);
        uint256 low = uint256(digest);
        uint256 first = ((high << (96 + shift)) | (low >> (160 - shift))) & type(uint160).max;
        uint256 second = (low << shift) & type(uint160).max;
        uint256 head = _base32Chars(first);
        uint256 tail = _base32Chars(second);
        assembly ("memory-safe") {
            // Room for 64 characters after the "b"; the length says how many are the CID, and the
            // bytes past it are cleared.
            cid := mload(0x40)
            mstore(0x40, add(cid, 0x80))
            mstore(cid, add(chars, 1))
            mstore(add(cid, 0x21), head)
            mstore(add(cid, 0x41), tail)
            mstore8(add(cid, 0x20), 0x62) // "b"
            mstore(add(add(cid, 0x21), chars), 0)
        }
    }
}
