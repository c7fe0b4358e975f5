// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DataContract} from "./DataContract.sol";
import {WorkflowDefinition} from "./WorkflowDefinition.sol";

/// @title DefinitionStore
/// @notice Where a workflow's immutable definition (WorkflowDefinition's blob) is kept and how it is read
/// back: as data contracts (DataContract) of CHUNK_SIZE bytes each. The first chunk's address lives with
/// the workflow (`first`); the others are in `chunks`, keyed workflowId << 16 | chunk number.
/// @dev Every reader takes (chunks, workflowId, first): the mapping, the workflow, its first chunk.
library DefinitionStore {
    /// @notice Stores `blob` as data contracts and returns the first one's address.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param blob The packed definition.
    /// @return first The first chunk's data contract.
    function store(mapping(uint256 => address) storage chunks, uint256 workflowId, bytes memory blob)
        internal
        returns (address first)
    {
        uint256 count = (blob.length + DataContract.CHUNK_SIZE - 1) / DataContract.CHUNK_SIZE;
        for (uint256 k; k < count; ++k) {
            uint256 start = k * DataContract.CHUNK_SIZE;
            uint256 size = blob.length - start;
            if (size > DataContract.CHUNK_SIZE) size = DataContract.CHUNK_SIZE;
            address pointer = DataContract.write(blob, start, size);
            if (k == 0) first = pointer;
            else chunks[(workflowId << 16) | k] = pointer;
        }
    }

    /// @notice The owner and submit time, from the definition's first word.
    /// @param first The first chunk.
    /// @return owner The workflow's owner.
    /// @return createdAt When it was submitted.
    function ownerAndCreation(address first) internal view returns (address owner, uint256 createdAt) {
        return WorkflowDefinition.unpackFirstWord(DataContract.readWord(first, 0));
    }

    /// @notice Step `index`'s header.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param first The first chunk.
    /// @param index The step's position.
    /// @return The header.
    function header(mapping(uint256 => address) storage chunks, uint256 workflowId, address first, uint256 index)
        internal
        view
        returns (WorkflowDefinition.Header memory)
    {
        uint256 offset = WorkflowDefinition.HEADERS + index * 32;
        address pointer = chunk(chunks, workflowId, first, offset / DataContract.CHUNK_SIZE);
        return WorkflowDefinition.unpackHeader(DataContract.readWord(pointer, offset % DataContract.CHUNK_SIZE));
    }

    /// @notice Dependents number `from` to `from + most - 1` of a step (fewer at the end of its list), and
    /// how many it has in all: only the slice a call may process is read, whatever the fan-out.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param first The first chunk.
    /// @param head The step's header.
    /// @param from The first child wanted.
    /// @param most How many at most.
    /// @return children The children's positions.
    /// @return total How many children the step has.
    function children(
        mapping(uint256 => address) storage chunks,
        uint256 workflowId,
        address first,
        WorkflowDefinition.Header memory head,
        uint256 from,
        uint256 most
    ) internal view returns (uint16[] memory children, uint256 total) {
        (total,,) = prefix(chunks, workflowId, first, head);
        uint256 count = from >= total ? 0 : total - from;
        if (count > most) count = most;
        uint256 start = head.recordOffset + WorkflowDefinition.RECORD_PREFIX + 2 * from;
        bytes memory raw = read(chunks, workflowId, first, start, 2 * count);
        children = new uint16[](count);
        for (uint256 i; i < count; ++i) {
            children[i] = uint16((uint256(uint8(raw[2 * i])) << 8) | uint8(raw[2 * i + 1]));
        }
    }

    /// @notice A step's module name and params template.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param first The first chunk.
    /// @param head The step's header.
    /// @return module The module name's bytes.
    /// @return template The params template (ParamsTemplate).
    function moduleAndTemplate(
        mapping(uint256 => address) storage chunks,
        uint256 workflowId,
        address first,
        WorkflowDefinition.Header memory head
    ) internal view returns (bytes memory module, bytes memory template) {
        (uint256 childCount, uint256 moduleLength, uint256 paramsLength) = prefix(chunks, workflowId, first, head);
        uint256 start = head.recordOffset + WorkflowDefinition.RECORD_PREFIX + 2 * childCount;
        module = read(chunks, workflowId, first, head.moduleOffset, moduleLength);
        if (head.moduleOffset == start) start += moduleLength; // this step's record holds the module name
        template = read(chunks, workflowId, first, start, paramsLength);
    }

    /// @notice A step record's fixed part: its child count, module length and params length.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param first The first chunk.
    /// @param head The step's header.
    /// @return childCount How many steps need this one.
    /// @return moduleLength The module name's length.
    /// @return paramsLength The params template's length.
    function prefix(
        mapping(uint256 => address) storage chunks,
        uint256 workflowId,
        address first,
        WorkflowDefinition.Header memory head
    ) internal view returns (uint256 childCount, uint256 moduleLength, uint256 paramsLength) {
        bytes memory raw = read(chunks, workflowId, first, head.recordOffset, WorkflowDefinition.RECORD_PREFIX);
        return WorkflowDefinition.unpackPrefix(bytes32(raw));
    }

    /// @notice `length` bytes of the blob from `offset`, across chunks.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param first The first chunk.
    /// @param offset Where in the blob.
    /// @param length How many bytes.
    /// @return out The bytes.
    function read(
        mapping(uint256 => address) storage chunks,
        uint256 workflowId,
        address first,
        uint256 offset,
        uint256 length
    ) internal view returns (bytes memory out) {
        out = new bytes(length);
        uint256 copied;
        while (copied < length) {
            uint256 within = offset % DataContract.CHUNK_SIZE;
            uint256 take = DataContract.CHUNK_SIZE - within;
            if (take > length - copied) take = length - copied;
            address pointer = chunk(chunks, workflowId, first, offset / DataContract.CHUNK_SIZE);
            DataContract.copy(pointer, within, out, copied, take);
            copied += take;
            offset += take;
        }
    }

    /// @notice The data contract of chunk number `k`.
    /// @param chunks The registry's chunk addresses after the first.
    /// @param workflowId The workflow.
    /// @param first The first chunk.
    /// @param k The chunk's number.
    /// @return The chunk's data contract.
    function chunk(mapping(uint256 => address) storage chunks, uint256 workflowId, address first, uint256 k)
        internal
        view
        returns (address)
    {
        return k == 0 ? first : chunks[(workflowId << 16) | k];
    }
}
