// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Encoding of a step's params template (`IWorkflowRegistry.StepDefinition.params`).
//
// A template is a sequence of segments, each opened by a 2-byte big-endian header `h`:
//   - top bit 0: a text segment; `h` (1..32767) bytes of literal UTF-8 follow the header.
//   - top bit 1: a reference to the result CID of the step at position `h & 0x7fff` of the submitted
//     array; that position must be listed in the step's `needs`. No payload follows the header.
// Empty params are zero segments. At dispatch the registry concatenates the text and the referenced
// CIDs, in order, into the params string sent to Lilypad. The registry does not check that text is valid
// UTF-8 (the off-chain encoder does); invalid bytes are passed to Lilypad as they are.
//
// The registry rejects with `MalformedParams(stepIndex, offset)`, `offset` being where the offending
// header starts: a header cut short, a text segment of length 0, or a text segment running past the end.
// A reference to a position outside `needs` is `ReferenceNotADependency`, and more than MAX_REFERENCES
// reference segments is `TooManyReferences`. Adjacent text segments are valid; text longer than
// PARAMS_MAX_TEXT_SEGMENT must be split (MAX_PARAMS_BYTES makes this moot today).
//
// Example: "cowsay " + result of step 0 + "!" encodes as
//   0x0007 636f7773617920  8000  0001 21
//   (text, 7 bytes)        (ref 0) (text, 1 byte)
// (File-level constants accept only `@dev` NatSpec, hence no `@notice` below.)

/// @dev Length in bytes of the big-endian header that opens every segment.
uint256 constant PARAMS_HEADER_BYTES = 2;

/// @dev Header bit marking a reference segment; clear for a text segment.
uint256 constant PARAMS_REFERENCE_FLAG = 0x8000;

/// @dev Mask that extracts a reference segment's step position from its header. Fifteen bits cover any
/// position below MAX_STEPS.
uint256 constant PARAMS_POSITION_MASK = 0x7fff;

/// @dev Longest text segment in bytes: the largest length a header without the reference flag can hold.
uint256 constant PARAMS_MAX_TEXT_SEGMENT = 0x7fff;

/// @dev On Lilypad v2, a step's resolved params are its module's inputs, each `Key=Value`, joined by this
/// byte (ASCII record separator, which no key or value may contain); the backend splits them into the
/// `string[] inputs` of `runJob`. Empty params are no inputs.
bytes1 constant INPUTS_SEPARATOR = 0x1e;
