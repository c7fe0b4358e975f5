;; hello.wat — a tiny WASI program for the deterministic_wasm module.
;; Prints "Hello, <args joined by spaces>!" (or "Hello, world!" with no args) and a newline to stdout.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory map: 0..7 iovec, 8..11 bytes written, 12..15 argc, 16..19 argv buffer size,
  ;; 32.. constant strings, 1024.. argv pointers, 8192.. argv strings.
  (data (i32.const 32) "Hello, ")
  (data (i32.const 40) "world")
  (data (i32.const 48) " ")
  (data (i32.const 56) "!\n")

  ;; Write `len` bytes at `ptr` to stdout (fd 1).
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Length of the NUL-terminated string at `ptr`.
  (func $strlen (param $ptr i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $ptr))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $end) (local.get $ptr)))

  (func (export "_start")
    (local $argc i32)
    (local $i i32)
    (local $arg i32)
    (drop (call $args_sizes_get (i32.const 12) (i32.const 16)))
    (local.set $argc (i32.load (i32.const 12)))
    ;; Grow memory so the argv strings fit above 8192.
    (drop (memory.grow (i32.add (i32.shr_u (i32.load (i32.const 16)) (i32.const 16)) (i32.const 1))))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (call $print (i32.const 32) (i32.const 7))
    (if (i32.le_u (local.get $argc) (i32.const 1))
      (then (call $print (i32.const 40) (i32.const 5)))
      (else
        (local.set $i (i32.const 1))
        (loop $args
          (if (i32.gt_u (local.get $i) (i32.const 1))
            (then (call $print (i32.const 48) (i32.const 1))))
          (local.set $arg (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
          (call $print (local.get $arg) (call $strlen (local.get $arg)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $args (i32.lt_u (local.get $i) (local.get $argc))))))
    (call $print (i32.const 56) (i32.const 2))))
