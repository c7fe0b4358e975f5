"""`deterministic_wasm:v0.0.1`: run a WASI program kept in the store; its stdout and stderr are the result.

Params are JSON `{"wasm": "<CID>", "args": [...], "stdin": "..."}` (args and stdin optional) or a plain CID.
The CID (or CID/path) names a binary `.wasm` or a `.wat` text module in the store. When `stdin` is exactly a
reference to stored content, the program reads that content (a result directory reads as its stdout), so an
earlier step's output can be piped in.

Runs are bounded (fuel, memory, output size) and repeatable: there is no filesystem, no environment,
`random_get` is a stream seeded from the module, args and stdin, clocks are a counter that ticks one
microsecond per reading, and `poll_oneoff` (sleeping) is not available.
"""

from __future__ import annotations

import errno
import hashlib
import json
import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from tinyhops.errors import ContentNotFound, ModuleFailed, StoreError
from tinyhops.provider.modules.failure import one_line, require_unicode
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import REFERENCE_PATTERN, ContentStore

NAME = "deterministic_wasm:v0.0.1"
FUEL = 10**9
MEMORY_BYTES = 256 << 20
MAX_OUTPUT_BYTES = 16 << 20
MAX_STDERR_BYTES = 64 << 10
MAX_RANDOM_BYTES = 16 << 20
MAX_MODULE_BYTES = 32 << 20
MAX_ARGS = 256
MAX_ARG_BYTES = 64 << 10
_KEYS = ("wasm", "args", "stdin")

# WASI preview 1 errno values.
_SUCCESS, _FAULT, _INVAL, _NOSYS = 0, 21, 28, 52
_WASI = "wasi_snapshot_preview1"


@dataclass(frozen=True)
class WasmRequest:
    wasm: str
    args: tuple[str, ...] = ()
    stdin: str | None = None


def parse(params: str) -> WasmRequest:
    """A plain CID, or a JSON object naming the module's CID, its args and its stdin."""
    text = params.strip()
    if _is_reference(text):
        return WasmRequest(text)
    try:
        fields = json.loads(text)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise ModuleFailed('deterministic_wasm: params must be a CID or JSON {"wasm": CID, "args": [...]}')
    unknown = sorted(set(fields) - set(_KEYS))
    if unknown:
        known = ", ".join(_KEYS)
        raise ModuleFailed(f"deterministic_wasm: unknown params key {unknown[0]!r} (known: {known})")
    wasm = fields.get("wasm")
    if not isinstance(wasm, str) or not _is_reference(wasm.strip()):
        raise ModuleFailed('deterministic_wasm: "wasm" must be the CID of a .wasm or .wat module')
    args = fields.get("args", [])
    if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
        raise ModuleFailed('deterministic_wasm: "args" must be a list of strings')
    for i, arg in enumerate(args):
        require_unicode(arg, f"deterministic_wasm: arg {i}")
    if len(args) > MAX_ARGS or sum(len(arg.encode()) for arg in args) > MAX_ARG_BYTES:
        raise ModuleFailed(f"deterministic_wasm: at most {MAX_ARGS} args of {MAX_ARG_BYTES} bytes in all")
    if any("\0" in arg for arg in args):
        raise ModuleFailed("deterministic_wasm: an arg contains a NUL character")
    stdin = fields.get("stdin")
    if stdin is not None and not isinstance(stdin, str):
        raise ModuleFailed('deterministic_wasm: "stdin" must be a string')
    if stdin is not None:
        require_unicode(stdin, "deterministic_wasm: stdin")
    return WasmRequest(wasm.strip(), tuple(args), stdin)


def _is_reference(text: str) -> bool:
    return REFERENCE_PATTERN.fullmatch(text) is not None


def _load(cid: str, store: ContentStore) -> bytes:
    """The module's bytes from the store, as binary wasm (text modules are compiled from WAT)."""
    try:
        data = store.get_input(cid)
    except ContentNotFound:
        raise ModuleFailed(f"deterministic_wasm: module {cid} is not in the store") from None
    except StoreError as error:
        raise ModuleFailed(f"deterministic_wasm: {error}") from None
    if len(data) > MAX_MODULE_BYTES:
        raise ModuleFailed(f"deterministic_wasm: module {cid} is larger than {MAX_MODULE_BYTES} bytes")
    if data.startswith(b"\0asm"):
        return data
    try:
        return bytes(wasmtime.wat2wasm(data.decode("utf-8")))
    except UnicodeDecodeError:
        raise ModuleFailed(f"deterministic_wasm: {cid} is neither binary wasm nor WAT text") from None
    except wasmtime.WasmtimeError as error:
        raise ModuleFailed(f"deterministic_wasm: bad WAT in {cid}: {_wat_error(error)}") from None


def _stdin_bytes(stdin: str | None, store: ContentStore) -> bytes:
    if stdin is None:
        return b""
    if _is_reference(stdin.strip()) and store.has(stdin.strip()):
        try:
            return store.get_input(stdin.strip())
        except StoreError as error:
            raise ModuleFailed(f"deterministic_wasm: stdin: {error}") from None
    return stdin.encode("utf-8")


def _wat_error(error: BaseException) -> str:
    """wat2wasm's message and where it points, e.g. "expected `)` at line 1, column 32"."""
    where = re.search(r"--> [^:\n]*:(\d+):(\d+)", str(error))
    return _first_line(error) + (f" at line {where[1]}, column {where[2]}" if where else "")


def _first_line(error: BaseException) -> str:
    """The most telling line of a wasmtime error: the cause when there is one, else the first line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    if "Caused by:" in lines:
        causes = lines[lines.index("Caused by:") + 1 :]
        return "; ".join(cause.removeprefix("0: ").removeprefix("1: ") for cause in causes) or lines[0]
    return lines[0]


@dataclass
class _Capped:
    """An output stream kept in memory up to `limit` bytes; writes past it fail with EFBIG."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    overflowed: bool = False

    def write(self, chunk: bytes) -> int:
        if len(self.data) + len(chunk) > self.limit:
            self.overflowed = True
            return -errno.EFBIG
        self.data.extend(chunk)
        return len(chunk)


def _deterministic_wasi(linker: wasmtime.Linker, seed: bytes) -> None:
    """Shadow WASI's sources of nondeterminism (randomness, clocks, sleeping) in `linker`."""
    rng = random.Random(seed)
    budget = {"random": MAX_RANDOM_BYTES, "ticks": 0}
    i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()

    def write(caller: wasmtime.Caller, pointer: int, data: bytes) -> int:
        memory = caller.get("memory")
        pointer &= 0xFFFFFFFF
        if not isinstance(memory, wasmtime.Memory) or pointer + len(data) > memory.data_len(caller):
            return _FAULT
        memory.write(caller, data, pointer)
        return _SUCCESS

    def random_get(caller: wasmtime.Caller, pointer: int, length: int) -> int:
        length &= 0xFFFFFFFF
        if length > budget["random"]:
            return _INVAL
        budget["random"] -= length
        return write(caller, pointer, rng.randbytes(length))

    def clock_time_get(caller: wasmtime.Caller, clock: int, _precision: int, pointer: int) -> int:
        if not 0 <= clock <= 3:
            return _INVAL
        budget["ticks"] += 1
        return write(caller, pointer, (budget["ticks"] * 1000).to_bytes(8, "little"))

    def clock_res_get(caller: wasmtime.Caller, clock: int, pointer: int) -> int:
        return write(caller, pointer, (1000).to_bytes(8, "little")) if 0 <= clock <= 3 else _INVAL

    def poll_oneoff(_caller: wasmtime.Caller, *_args: int) -> int:
        return _NOSYS

    overrides: list[tuple[str, list[wasmtime.ValType], Callable[..., int]]] = [
        ("random_get", [i32, i32], random_get),
        ("clock_time_get", [i32, i64, i32], clock_time_get),
        ("clock_res_get", [i32, i32], clock_res_get),
        ("poll_oneoff", [i32, i32, i32, i32], poll_oneoff),
    ]
    linker.allow_shadowing = True
    for name, params, func in overrides:
        linker.define_func(_WASI, name, wasmtime.FuncType(params, [i32]), func, access_caller=True)


def _trap_reason(trap: wasmtime.Trap) -> str:
    if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
        return f"out of fuel (limit {FUEL:,} units)"
    if trap.trap_code is not None:
        return f"wasm trap: {trap.trap_code.name.lower().replace('_', ' ')}"
    return f"wasm trap: {_first_line(trap)}"


def execute(binary: bytes, args: tuple[str, ...], stdin: bytes, seed: bytes) -> JobResult:
    """Run the WASI program `binary` and return its stdout and stderr, or raise ModuleFailed."""
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    try:
        module = wasmtime.Module(engine, binary)
    except wasmtime.WasmtimeError as error:
        raise ModuleFailed(f"deterministic_wasm: invalid module: {_first_line(error)}") from None
    stdout, stderr = _Capped(MAX_OUTPUT_BYTES), _Capped(MAX_STDERR_BYTES)
    with tempfile.TemporaryDirectory(prefix="tinyhops-wasm-") as scratch:
        stdin_path = Path(scratch) / "stdin"
        stdin_path.write_bytes(stdin)
        wasi = wasmtime.WasiConfig()
        wasi.argv = ["main.wasm", *args]
        wasi.stdin_file = stdin_path
        wasi.stdout_custom = stdout.write
        wasi.stderr_custom = stderr.write
        store = wasmtime.Store(engine)
        store.set_wasi(wasi)
        store.set_fuel(FUEL)
        store.set_limits(memory_size=MEMORY_BYTES, table_elements=1 << 20, instances=8, tables=8, memories=4)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        _deterministic_wasi(linker, seed)
        try:
            instance = linker.instantiate(store, module)
        except (wasmtime.WasmtimeError, wasmtime.Trap) as error:
            raise ModuleFailed(f"deterministic_wasm: cannot instantiate: {_first_line(error)}") from None
        start = instance.exports(store).get("_start")
        if not isinstance(start, wasmtime.Func):
            raise ModuleFailed("deterministic_wasm: the module exports no _start function")
        _call(start, store, stderr)
    if stdout.overflowed:
        raise ModuleFailed(f"deterministic_wasm: output is larger than {MAX_OUTPUT_BYTES} bytes")
    return JobResult(stdout=bytes(stdout.data), stderr=bytes(stderr.data))


def _call(start: wasmtime.Func, store: wasmtime.Store, stderr: _Capped) -> None:
    """Call `_start`; a clean exit (return or proc_exit(0)) returns, anything else raises ModuleFailed."""
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        if exit_trap.code != 0:
            said = one_line(stderr.data.decode("utf-8", "replace")[-300:], 120)
            reason = f"deterministic_wasm: program exited with code {exit_trap.code}"
            raise ModuleFailed(reason + (f": {said}" if said else "")) from None
    except wasmtime.Trap as trap:
        raise ModuleFailed(f"deterministic_wasm: {_trap_reason(trap)}") from None
    except wasmtime.WasmtimeError as error:
        raise ModuleFailed(f"deterministic_wasm: {_first_line(error)}") from None


def run(params: str, store: ContentStore) -> JobResult:
    request = parse(params)
    binary = _load(request.wasm, store)
    stdin = _stdin_bytes(request.stdin, store)
    seed_parts: list[Any] = [request.wasm, list(request.args), hashlib.sha256(stdin).hexdigest()]
    seed = hashlib.sha256(json.dumps(seed_parts).encode()).digest()
    return execute(binary, request.args, stdin, seed)
