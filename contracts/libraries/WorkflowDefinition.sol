// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWorkflowRegistry} from "../interfaces/IWorkflowRegistry.sol";
import {
    MAX_STEPS,
    MAX_NEEDS,
    MAX_RETRIES,
    MAX_TIMEOUT_SECONDS,
    MAX_MODULE_BYTES,
    MAX_PARAMS_BYTES,
    MAX_REFERENCES
} from "../interfaces/WorkflowLimits.sol";
import {PARAMS_HEADER_BYTES} from "../interfaces/ParamsEncoding.sol";
import {ParamsTemplate} from "./ParamsTemplate.sol";

/// @title WorkflowDefinition
/// @notice Validates a submitted `StepDefinition[]` and packs it into the immutable blob the registry
/// keeps as contract code; reads steps back from that blob.
/// @dev Blob layout. A first word for the workflow as a whole, a header region of one 32-byte word per
/// step, then one record per step.
///   first word (big-endian): owner address (160 bits) | createdAt u40 | zero (56 bits)
///   header (big-endian): stepId u64 | cost u96 | timeout u32 | cacheable u1 | retries u3 | needsCount u12 |
///                        recordOffset u24 | moduleOffset u24
/// (retries are at most MAX_RETRIES, 5, so three bits hold them and the fourth is the cacheable flag).
///   record: childCount u16 | moduleLength u8 | paramsLength u16 | children u16[childCount] |
///           [module bytes] | params bytes
/// A module name is kept once per workflow: the record of the first step naming it holds its bytes, and
/// every step's moduleOffset points at them (a step holds the bytes itself exactly when its moduleOffset
/// is where its children end). Children (the steps that need this one) are derived here from `needs`, so
/// that a result can mark its dependents ready without scanning the workflow.
library WorkflowDefinition {
    /// @dev Byte length of the fixed part of a record (childCount, moduleLength, paramsLength).
    uint256 internal constant RECORD_PREFIX = 5;

    /// @dev Where step headers start: after the workflow's own first word.
    uint256 internal constant HEADERS = 32;

    /// @dev Offsets are 24-bit: a blob is smaller than this (a submit's gas allows far less).
    uint256 internal constant MAX_BLOB_BYTES = 1 << 24;

    /// @dev Transient-storage namespace for the duplicate-step-id check (xored into keccak(salt, stepId)).
    bytes32 private constant STEP_ID_SEEN = keccak256("tinyhops.WorkflowDefinition.stepIds");

    /// @dev Transient-storage namespace for module interning (xored into keccak(salt, keccak(module))):
    /// holds 1 + the index of the first step naming the module.
    bytes32 private constant MODULE_SEEN = keccak256("tinyhops.WorkflowDefinition.modules");

    /// @notice A step's fixed-size fields, as unpacked from its header word.
    struct Header {
        uint64 stepId;
        uint96 cost;
        uint32 timeout;
        uint8 retries;
        uint16 needsCount;
        uint32 recordOffset;
        uint32 moduleOffset;
        bool cacheable;
    }

    /// @notice Checks every rule of the spec that the chain can check and builds the blob.
    /// @dev Reverts with the IWorkflowRegistry error naming the first offending step. `salt` must differ
    /// between submits of one transaction (the new workflow id does): step ids are checked for
    /// uniqueness in transient storage.
    /// @param steps The workflow in topological order.
    /// @param salt Distinguishes this submit's step-id set from others in the same transaction.
    /// @param owner The workflow's owner, kept in the first word.
    /// @param createdAt The submit's timestamp, kept in the first word.
    /// @return blob The packed definition.
    /// @return required Wei needed to pay every attempt of every step.
    function build(IWorkflowRegistry.StepDefinition[] calldata steps, uint256 salt, address owner, uint256 createdAt)
        internal
        returns (bytes memory blob, uint256 required)
    {
        uint256 count = steps.length;
        if (count == 0) revert IWorkflowRegistry.EmptyWorkflow();
        if (count > MAX_STEPS) revert IWorkflowRegistry.TooManySteps(count, MAX_STEPS);

        uint256[] memory childCounts = new uint256[](count);
        // For each step, the index of the first step naming the same module (itself when it is the first).
        uint256[] memory moduleSource = new uint256[](count);
        uint256 size = HEADERS + count * 32;
        for (uint256 i; i < count; ++i) {
            IWorkflowRegistry.StepDefinition calldata step = steps[i];
            _checkStep(step, i, salt);
            uint16[] calldata needs = step.needs;
            for (uint256 k; k < needs.length; ++k) {
                ++childCounts[needs[k]];
            }
            required += uint256(step.cost) * (1 + step.retries);
            uint256 source = _firstNaming(bytes(step.module), i, salt);
            moduleSource[i] = source;
            if (source == i) {
                if (!isModuleName(bytes(step.module))) revert IWorkflowRegistry.InvalidModule(i);
                size += bytes(step.module).length;
            }
            size += RECORD_PREFIX + step.params.length;
        }
        size += 2 * _sum(childCounts);
        if (size >= MAX_BLOB_BYTES) revert IWorkflowRegistry.DefinitionTooLarge(size, MAX_BLOB_BYTES);

        // Offsets of each step's next free child slot, and of each step's module bytes.
        uint256[] memory nextChild = new uint256[](count);
        uint256[] memory moduleOffsets = new uint256[](count);
        blob = new bytes(size);
        _writeWord(blob, 0, (uint256(uint160(owner)) << 96) | (createdAt << 56));
        uint256 cursor = HEADERS + count * 32;
        for (uint256 i; i < count; ++i) {
            IWorkflowRegistry.StepDefinition calldata step = steps[i];
            uint256 children = childCounts[i];
            uint256 moduleLength = bytes(step.module).length;
            uint256 paramsLength = step.params.length;
            _writeBytes(blob, cursor, (children << 24) | (moduleLength << 16) | paramsLength, RECORD_PREFIX);
            nextChild[i] = cursor + RECORD_PREFIX;
            uint256 body = nextChild[i] + 2 * children;
            uint256 source = moduleSource[i];
            uint256 moduleOffset = source == i ? body : moduleOffsets[source];
            moduleOffsets[i] = moduleOffset;
            if (source == i) {
                _copyCalldata(blob, body, bytes(step.module));
                body += moduleLength;
            }
            _writeWord(
                blob,
                HEADERS + i * 32,
                (uint256(step.stepId) << 192) | (uint256(step.cost) << 96) | (uint256(step.timeout) << 64)
                    | (uint256(step.cacheable ? 1 : 0) << 63) | (uint256(step.retries) << 60) | (step.needs.length << 48)
                    | (cursor << 24) | moduleOffset
            );
            _copyCalldata(blob, body, step.params);
            cursor = body + paramsLength;
        }
        for (uint256 i; i < count; ++i) {
            uint16[] calldata needs = steps[i].needs;
            for (uint256 k; k < needs.length; ++k) {
                uint256 parent = needs[k];
                _writeBytes(blob, nextChild[parent], i, 2);
                nextChild[parent] += 2;
            }
        }
    }

    /// @notice Unpacks the first word: who owns the workflow, and when it was submitted.
    /// @param word The blob's first word.
    /// @return owner The owner.
    /// @return createdAt The submit's timestamp.
    function unpackFirstWord(bytes32 word) internal pure returns (address owner, uint256 createdAt) {
        return (address(uint160(uint256(word) >> 96)), (uint256(word) >> 56) & 0xffffffffff);
    }

    /// @notice Unpacks a header word.
    /// @param word The step's header word.
    /// @return header The fields.
    function unpackHeader(bytes32 word) internal pure returns (Header memory header) {
        uint256 w = uint256(word);
        header.stepId = uint64(w >> 192);
        header.cost = uint96(w >> 96);
        header.timeout = uint32(w >> 64);
        header.retries = uint8((w >> 60) & 0x7);
        header.cacheable = (w >> 63) & 1 == 1;
        header.needsCount = uint16((w >> 48) & 0xfff);
        header.recordOffset = uint32((w >> 24) & 0xffffff);
        header.moduleOffset = uint32(w & 0xffffff);
    }

    /// @notice Splits a record prefix read from the blob.
    /// @param prefix The record's first RECORD_PREFIX bytes, left-aligned in a word.
    /// @return children Number of dependents.
    /// @return moduleLength Byte length of the module name.
    /// @return paramsLength Byte length of the params template.
    function unpackPrefix(bytes32 prefix)
        internal
        pure
        returns (uint256 children, uint256 moduleLength, uint256 paramsLength)
    {
        uint256 w = uint256(prefix) >> 216;
        return (w >> 24, (w >> 16) & 0xff, w & 0xffff);
    }

    function _checkStep(IWorkflowRegistry.StepDefinition calldata step, uint256 index, uint256 salt) private {
        uint64 stepId = step.stepId;
        bytes32 namespace = STEP_ID_SEEN;
        bool seen;
        assembly ("memory-safe") {
            mstore(0, salt)
            mstore(0x20, stepId)
            let key := xor(keccak256(0, 0x40), namespace)
            seen := tload(key)
            tstore(key, 1)
        }
        if (seen) revert IWorkflowRegistry.DuplicateStepId(index, stepId);
        if (step.cost == 0) revert IWorkflowRegistry.ZeroCost(index);
        if (step.retries > MAX_RETRIES) revert IWorkflowRegistry.TooManyRetries(index, step.retries);
        if (step.timeout > MAX_TIMEOUT_SECONDS) revert IWorkflowRegistry.TimeoutTooLong(index, step.timeout);
        uint16[] calldata needs = step.needs;
        if (needs.length > MAX_NEEDS) revert IWorkflowRegistry.TooManyDependencies(index, needs.length);
        uint256 previous;
        for (uint256 k; k < needs.length; ++k) {
            uint256 need = needs[k];
            if (need >= index) revert IWorkflowRegistry.DependencyNotEarlier(index, need);
            if (k > 0 && need <= previous) revert IWorkflowRegistry.DependenciesNotAscending(index);
            previous = need;
        }
        _checkParams(step.params, needs, index);
    }

    /// @dev The index of the first step (of this submit, `salt`) naming `module`: `index` if none before it.
    function _firstNaming(bytes calldata module, uint256 index, uint256 salt) private returns (uint256 first) {
        bytes32 namespace = MODULE_SEEN;
        assembly ("memory-safe") {
            let free := mload(0x40)
            calldatacopy(free, module.offset, module.length)
            mstore(0x20, keccak256(free, module.length))
            mstore(0, salt)
            let key := xor(keccak256(0, 0x40), namespace)
            first := tload(key)
            switch first
            case 0 {
                tstore(key, add(index, 1))
                first := index
            }
            default { first := sub(first, 1) }
        }
    }

    /// @notice Whether `name` has the form the spec requires, at most MAX_MODULE_BYTES long:
    /// `^[A-Za-z0-9][A-Za-z0-9._/-]*:[A-Za-z0-9][A-Za-z0-9._+-]*$` (tinyhops/spec.py MODULE_NAME).
    /// @dev One bit-set lookup a byte: bit c of a set says whether byte value c may appear.
    /// @param name The module name.
    /// @return valid True when valid.
    function isModuleName(bytes calldata name) internal pure returns (bool valid) {
        uint256 length = name.length;
        if (length == 0 || length > MAX_MODULE_BYTES) return false;
        assembly ("memory-safe") {
            // Bit sets over byte values 0-127. alnum: 0-9 A-Z a-z; a name adds . _ / -, a version . _ + -.
            let alnum := or(or(shl(48, 0x3ff), shl(65, 0x3ffffff)), shl(97, 0x3ffffff))
            let punctuation := or(or(shl(46, 1), shl(95, 1)), shl(45, 1))
            let allowed := or(alnum, or(punctuation, shl(47, 1)))
            let versionChars := or(alnum, or(punctuation, shl(43, 1)))
            let atStart := 1
            let inVersion := 0
            valid := 1
            for { let i := 0 } lt(i, length) { i := add(i, 1) } {
                let c := byte(0, calldataload(add(name.offset, i)))
                switch atStart
                case 1 {
                    if iszero(and(lt(c, 128), and(shr(c, alnum), 1))) { valid := 0 }
                    atStart := 0
                }
                default {
                    switch and(eq(c, 0x3a), iszero(inVersion))
                    case 1 {
                        inVersion := 1
                        atStart := 1
                        allowed := versionChars
                    }
                    default { if iszero(and(lt(c, 128), and(shr(c, allowed), 1))) { valid := 0 } }
                }
            }
            valid := and(valid, and(inVersion, iszero(atStart)))
        }
    }

    function _checkParams(bytes calldata params, uint16[] calldata needs, uint256 index) private pure {
        uint256 length = params.length;
        if (length > MAX_PARAMS_BYTES) revert IWorkflowRegistry.ParamsTooLong(index, length);
        uint256 offset;
        uint256 references;
        while (offset < length) {
            if (offset + PARAMS_HEADER_BYTES > length) revert IWorkflowRegistry.MalformedParams(index, offset);
            uint256 header = ParamsTemplate.calldataHeaderAt(params, offset);
            if (ParamsTemplate.isReference(header)) {
                uint256 position = ParamsTemplate.position(header);
                if (!_contains(needs, position)) revert IWorkflowRegistry.ReferenceNotADependency(index, position);
                if (++references > MAX_REFERENCES) revert IWorkflowRegistry.TooManyReferences(index);
                offset += PARAMS_HEADER_BYTES;
            } else {
                if (header == 0 || offset + PARAMS_HEADER_BYTES + header > length) {
                    revert IWorkflowRegistry.MalformedParams(index, offset);
                }
                offset += PARAMS_HEADER_BYTES + header;
            }
        }
    }

    /// @dev Binary search: `needs` is strictly ascending (checked before).
    function _contains(uint16[] calldata needs, uint256 value) private pure returns (bool) {
        uint256 low;
        uint256 high = needs.length;
        while (low < high) {
            uint256 middle = (low + high) >> 1;
            uint256 found = needs[middle];
            if (found == value) return true;
            if (found < value) low = middle + 1;
            else high = middle;
        }
        return false;
    }

    function _sum(uint256[] memory values) private pure returns (uint256 total) {
        for (uint256 i; i < values.length; ++i) {
            total += values[i];
        }
    }

    function _writeWord(bytes memory blob, uint256 offset, uint256 word) private pure {
        assembly ("memory-safe") {
            mstore(add(add(blob, 0x20), offset), word)
        }
    }

    /// @dev Writes the low `length` bytes of `value` big-endian at `offset`, leaving the bytes after intact.
    function _writeBytes(bytes memory blob, uint256 offset, uint256 value, uint256 length) private pure {
        assembly ("memory-safe") {
            let at := add(add(blob, 0x20), offset)
            let shift := sub(256, mul(length, 8))
            let keep := shr(mul(length, 8), not(0))
            mstore(at, or(shl(shift, value), and(mload(at), keep)))
        }
    }

    function _copyCalldata(bytes memory blob, uint256 offset, bytes calldata data) private pure {
        assembly ("memory-safe") {
            calldatacopy(add(add(blob, 0x20), offset), data.offset, data.length)
        }
    }
}
