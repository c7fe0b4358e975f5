"""The cowsay, sdxl and wasm modules the local provider serves, and the registry that names them."""

from __future__ import annotations

import io
import json
import time
import unicodedata

import cowsay
import pytest
import wasmtime
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tinyhops.errors import TinyHopsError
from tinyhops.provider.cids import cid_of
from tinyhops.provider.modules import MODULES, SAMPLES, JobResult, ModuleFailed, sdxl, wasm
from tinyhops.provider.modules import run_module as run_result
from tinyhops.provider.store import ContentStore

COW, SDXL, WASM = "cowsay:v0.0.1", "sdxl:v0.9-lilypad1", "deterministic_wasm:v0.0.1"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HELLO_WAT = (SAMPLES / "hello.wat").read_bytes()
ARG_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


def wat_program(body: str, imports: str = "", memory: bool = True) -> bytes:
    """A WASI program whose `_start` is `body`; `imports` are lines such as (import ... (func $name ...))."""
    memory_line = '(memory (export "memory") 1)' if memory else ""
    return f'(module {imports} {memory_line} (func (export "_start") {body}))'.encode()


FD_WRITE = '(import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))'


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ContentStore:
    return ContentStore(tmp_path_factory.mktemp("store"))


def run_module(name: str, params: str, store: ContentStore) -> bytes:
    """A module's main output: the image sdxl writes to outputs/, the stdout of the others."""
    result = run_result(name, params, store)
    assert isinstance(result, JobResult)
    if name == SDXL:
        (picture,) = result.outputs.values()
        return picture
    return result.stdout


def failure(name: str, params: str, store: ContentStore) -> str:
    with pytest.raises(ModuleFailed) as caught:
        run_module(name, params, store)
    reason = caught.value.reason
    assert reason and "\n" not in reason and len(reason) <= 200
    assert isinstance(caught.value, TinyHopsError)
    return reason


# The registry.


def test_registry_names_every_module() -> None:
    meme = {"joke:v0.0.1", "caption:v0.0.1", "speak:v0.0.1", "video:v0.0.1"}  # tests/unit/provider/test_meme_modules.py
    assert set(MODULES) == {COW, SDXL, WASM} | meme


def test_unknown_module_fails(store: ContentStore) -> None:
    assert failure("x:v1", "params", store) == "unknown module 'x:v1'"
    assert failure("cowsay:v0.0.2", "hi", store) == "unknown module 'cowsay:v0.0.2'"


# cowsay:v0.0.1


def test_cow_says_the_params_like_the_cowsay_package(store: ContentStore) -> None:
    out = run_module(COW, "Hello from Tiny Hops", store).decode()
    assert out == cowsay.get_output_string("cow", "Hello from Tiny Hops") + "\n"
    assert "| Hello from Tiny Hops |" in out and "^__^" in out


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=300))
def test_cow_never_crashes_on_any_text(store: ContentStore, text: str) -> None:
    try:
        out = run_module(COW, text, store)
    except ModuleFailed as failed:
        assert "nothing to say" in failed.reason
        assert all(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in text)
        return
    picture = out.decode("utf-8")
    assert "(oo)" in picture and picture.endswith("\n")
    assert all(ch == "\n" or unicodedata.category(ch) not in ("Cc", "Zl", "Zp") for ch in picture)


def test_empty_params_give_the_cow_nothing_to_say(store: ContentStore) -> None:
    assert failure(COW, "", store) == "cowsay has nothing to say: the params are empty"
    assert "nothing to say" in failure(COW, " \n\t\r ", store)


def test_cow_quotes_an_earlier_cow_as_is(store: ContentStore) -> None:
    first = run_module(COW, "Moo", store)
    first_cid = store.put(first)
    second = run_module(COW, f"The first cow said: {first_cid}", store).decode()
    assert first_cid not in second
    assert "| The first cow said:" in second
    lines = second.splitlines()
    inner = [line.rstrip() for line in first.decode().splitlines()]
    # The first cow's lines appear in order, as they were, just inside the bubble's "| " border.
    inside = [line[2:-1].rstrip() for line in lines if line.startswith("| ") and line.endswith("|")]
    assert any(inside[k : k + len(inner)] == inner for k in range(len(inside))), second
    # And a third cow can quote the second one.
    third = run_module(COW, store.put(second.encode()), store).decode()
    assert third.count("^__^") == 3


def test_cow_leaves_cids_of_missing_or_binary_content_as_they_are(store: ContentStore) -> None:
    missing = cid_of(b"not stored")
    binary = store.put(PNG_SIGNATURE + b"\x00" * 8)
    out = run_module(COW, f"{missing} {binary}", store).decode()
    assert missing in out.replace("\n", "").replace("|", "") or missing[:20] in out
    assert binary[:20] in out


# sdxl:v0.9-lilypad1


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@settings(max_examples=8, deadline=None)
@given(prompt=st.text(min_size=1, max_size=120).filter(str.strip), seed=st.integers(0, 2**64 - 2))
def test_images_are_deterministic_per_prompt_and_seed(store: ContentStore, prompt: str, seed: int) -> None:
    params = json.dumps({"prompt": prompt, "seed": seed, "width": 192, "height": 128})
    first = run_module(SDXL, params, store)
    assert first.startswith(PNG_SIGNATURE)
    assert png_size(first) == (192, 128)
    assert run_module(SDXL, params, store) == first
    other_seed = json.dumps({"prompt": prompt, "seed": seed + 1, "width": 192, "height": 128})
    assert run_module(SDXL, other_seed, store) != first


def test_plain_prompt_is_seed_42_at_512_as_on_lilypad(store: ContentStore) -> None:
    plain = run_module(SDXL, "a red fox in the snow", store)
    assert png_size(plain) == (512, 512)
    assert plain == run_module(SDXL, json.dumps({"prompt": "a red fox in the snow", "seed": 42}), store)
    assert plain != run_module(SDXL, "a red fox in the snowy woods", store)


def test_image_is_fast(store: ContentStore) -> None:
    timings = []
    for seed in range(3):
        started = time.perf_counter()
        run_module(SDXL, json.dumps({"prompt": "a lighthouse at dusk, oil painting", "seed": seed}), store)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.3, timings


def test_prompt_may_quote_stored_text(store: ContentStore) -> None:
    cid = store.put(b"a quoted prompt")
    size = {"seed": 5, "width": 64, "height": 64}
    by_cid = run_module(SDXL, json.dumps({"prompt": f"{cid}", **size}), store)
    inline = run_module(SDXL, json.dumps({"prompt": "a quoted prompt", **size}), store)
    assert by_cid == inline


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ('{"prompt": "x", "seed": -1}', "seed must be a whole number from 0"),
        ('{"prompt": "x", "seed": true}', "seed must be a whole number"),
        ('{"prompt": "x", "seed": 1.5}', "seed must be a whole number"),
        ('{"prompt": "x", "width": 4096}', "width must be a whole number from 64 to 1024"),
        ('{"prompt": "x", "height": 8}', "height must be a whole number from 64 to 1024"),
        ('{"prompt": "x", "steps": 30}', "unknown params key 'steps'"),
        ('{"seed": 1}', 'needs a "prompt" string'),
        ('{"prompt": "\\ud83d"}', "the prompt is not valid Unicode"),
        ('{"prompt": "   "}', "the prompt is empty"),
        ("", "the prompt is empty"),
    ],
)
def test_bad_image_params_fail_with_a_reason(store: ContentStore, params: str, expected: str) -> None:
    assert expected in failure(SDXL, params, store)


def test_json_that_is_not_an_object_is_a_plain_prompt() -> None:
    assert sdxl.parse("42") == sdxl.ImageRequest("42")
    assert sdxl.parse('["a"]') == sdxl.ImageRequest('["a"]')
    assert sdxl.parse("{not json") == sdxl.ImageRequest("{not json")


# deterministic_wasm:v0.0.1


def test_hello_sample_greets_the_world(store: ContentStore) -> None:
    hello = store.put(HELLO_WAT)
    assert run_module(WASM, hello, store) == b"Hello, world!\n"
    assert run_module(WASM, f"  {hello}\n", store) == b"Hello, world!\n"


@settings(max_examples=25, deadline=None)
@given(args=st.lists(ARG_TEXT, min_size=1, max_size=6))
def test_hello_sample_prints_its_args(store: ContentStore, args: list[str]) -> None:
    hello = store.put(HELLO_WAT)
    out = run_module(WASM, json.dumps({"wasm": hello, "args": args}), store)
    assert out == f"Hello, {' '.join(args)}!\n".encode()


def test_binary_wasm_runs_too(store: ContentStore) -> None:
    binary = store.put(bytes(wasmtime.wat2wasm(HELLO_WAT.decode())))
    assert run_module(WASM, json.dumps({"wasm": binary, "args": ["binary"]}), store) == b"Hello, binary!\n"


def test_infinite_loop_runs_out_of_fuel(store: ContentStore) -> None:
    loop = store.put(wat_program("(loop $forever (br $forever))"))
    started = time.perf_counter()
    assert failure(WASM, loop, store) == "deterministic_wasm: out of fuel (limit 1,000,000,000 units)"
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (wat_program("unreachable"), "deterministic_wasm: wasm trap: unreachable"),
        (wat_program("(drop (i32.div_u (i32.const 1) (i32.const 0)))"), "integer division by zero"),
        (wat_program("(drop (i32.load (i32.const -1)))"), "memory out of bounds"),
        (b'(module (func $f (export "_start") (call $f)))', "stack overflow"),
        (b'(module (func (export "main")))', "exports no _start function"),
        (b'(module (import "env" "f" (func)) (func (export "_start")))', "unknown import"),
        (b'(module (func (export "_start")', "bad WAT in"),
        (b"\x00asm\x01\x00\x00\x00garbage", "invalid module"),
        (bytes(range(256)), "is neither binary wasm nor WAT text"),
        # 65,000 pages are over the memory limit: memory.grow fails, and the program traps.
        (
            wat_program("(if (i32.eq (memory.grow (i32.const 65000)) (i32.const -1)) (then unreachable))"),
            "wasm trap: unreachable",
        ),
    ],
)
def test_broken_programs_fail_with_a_reason(store: ContentStore, program: bytes, expected: str) -> None:
    assert expected in failure(WASM, store.put(program), store)


def test_nonzero_exit_fails_with_what_the_program_said(store: ContentStore) -> None:
    imports = FD_WRITE + '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))'
    body = """(i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 16))
        (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
        (call $exit (i32.const {code}))"""
    data = '(data (i32.const 16) "bad input: nope\\n")'
    failing = wat_program(body.format(code=3), imports + data)
    assert failure(WASM, store.put(failing), store) == (
        "deterministic_wasm: program exited with code 3: bad input: nope"
    )
    succeeding = run_result(WASM, store.put(wat_program(body.format(code=0), imports + data)), store)
    assert (succeeding.stdout, succeeding.stderr) == (b"", b"bad input: nope\n")  # stderr is a result file


def test_the_picture_is_outputs_image_seed_png_as_lilypads_sdxl_names_it(store: ContentStore) -> None:
    result = run_result(SDXL, json.dumps({"prompt": "a cow", "seed": 7, "width": 64, "height": 64}), store)
    assert list(result.outputs) == ["image-7.png"] and result.outputs["image-7.png"].startswith(PNG_SIGNATURE)
    assert result.tree()["outputs"] == {"image-7.png": result.outputs["image-7.png"]}
    assert list(run_result(SDXL, "a cow", store).outputs) == ["image-42.png"]  # Lilypad's default seed, 42


def test_modules_read_paths_into_result_directories(store: ContentStore) -> None:
    directory = store.put_tree({"stdout": b"the cow's words", "stderr": b"", "outputs": {"note.txt": b"a note"}})
    out = run_module(COW, f"{directory} and {directory}/outputs/note.txt", store).decode()
    assert "the cow's words and a note" in out and directory not in out
    hello = store.put_tree({"stdout": b"", "stderr": b"", "outputs": {"hello.wat": HELLO_WAT}})
    assert run_module(WASM, f"{hello}/outputs/hello.wat", store) == b"Hello, world!\n"


def test_output_is_capped(store: ContentStore) -> None:
    # Writes one 64 KiB page 300 times: about 19 MiB, over the 16 MiB cap.
    body = """(local $i i32)
        (i32.store (i32.const 0) (i32.const 0)) (i32.store (i32.const 4) (i32.const 65536))
        (loop $again (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const 300))))"""
    assert "output is larger than" in failure(WASM, store.put(wat_program(body, FD_WRITE)), store)


def test_stdin_is_text_or_stored_content(store: ContentStore) -> None:
    imports = FD_WRITE + (
        '(import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))'
    )
    body = """(block $done (loop $more
        (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 4096))
        (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (i32.store (i32.const 4) (i32.load (i32.const 8)))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br $more)))"""
    cat = store.put(wat_program(body, imports))
    text = "piped text ✓"
    assert run_module(WASM, json.dumps({"wasm": cat, "stdin": text}), store) == text.encode()
    blob = bytes(range(256)) * 40
    assert run_module(WASM, json.dumps({"wasm": cat, "stdin": store.put(blob)}), store) == blob
    assert run_module(WASM, json.dumps({"wasm": cat}), store) == b""


def test_randomness_and_clocks_are_deterministic(store: ContentStore) -> None:
    imports = FD_WRITE + (
        '(import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))'
        '(import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))'
    )
    body = """(drop (call $random (i32.const 100) (i32.const 16)))
        (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 116)))
        (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 124)))
        (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 32))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"""
    program = store.put(wat_program(body, imports))
    first = run_module(WASM, program, store)
    assert len(first) == 32 and first[:16] != bytes(16)
    assert run_module(WASM, program, store) == first
    assert first[16:] == (1000).to_bytes(8, "little") + (2000).to_bytes(8, "little")
    with_args = run_module(WASM, json.dumps({"wasm": program, "args": ["a"]}), store)
    assert with_args[:16] != first[:16] and with_args[16:] == first[16:]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("not json", "params must be a CID or JSON"),
        ('{"wasm": "nope"}', '"wasm" must be the CID'),
        ('{"wasm": "CID", "args": "a b"}', '"args" must be a list of strings'),
        ('{"wasm": "CID", "args": [1]}', '"args" must be a list of strings'),
        ('{"wasm": "CID", "args": ["a\\u0000b"]}', "contains a NUL character"),
        ('{"wasm": "CID", "args": ["ok", "\\ud800"]}', "arg 1 is not valid Unicode"),
        ('{"wasm": "CID", "stdin": "\\udfff"}', "stdin is not valid Unicode"),
        ('{"wasm": "CID", "stdin": 5}', '"stdin" must be a string'),
        ('{"wasm": "CID", "fuel": 5}', "unknown params key 'fuel'"),
        (cid_of(b"absent"), f"module {cid_of(b'absent')} is not in the store"),
    ],
)
def test_bad_wasm_params_fail_with_a_reason(store: ContentStore, params: str, expected: str) -> None:
    hello = store.put(HELLO_WAT)
    assert expected in failure(WASM, params.replace("CID", hello), store)


def test_parse_accepts_a_plain_cid() -> None:
    cid = cid_of(b"m")
    assert wasm.parse(cid) == wasm.WasmRequest(cid)
    full = json.dumps({"wasm": cid, "args": ["x"], "stdin": "y"})
    assert wasm.parse(full) == wasm.WasmRequest(cid, ("x",), "y")
