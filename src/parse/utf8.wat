;; feedmirror: the UTF-8 decoding loop of src/parse/utf8.ts, in WebAssembly because that runs
;; it twice as fast as V8 runs the same loop in JavaScript (no bounds checks, one 32-bit load
;; per character). Compiled by scripts/build-wasm.mjs into src/parse/utf8-wasm.ts.
(module
  (memory (export "memory") 1)
  (global $stop (export "stop") (mut i32) (i32.const 0))
  (global $odd (export "odd") (mut i32) (i32.const 0))
  ;; decode(i, e, o, refs): valid UTF-8 bytes at [i, e) to UTF-16LE code units at o; returns
  ;; where the output ends and sets $stop to where the input stopped (e when done). With refs,
  ;; the five predefined references are decoded and any other "&" stops the loop, so the caller
  ;; can take its general path. $odd is set on C0 controls (not tab, LF, CR), DEL and C1.
  ;; Reads up to 4 bytes past e: the caller pads the input.
  (func (export "decode") (param $i i32) (param $e i32) (param $o i32) (param $refs i32) (result i32)
    (local $c i32) (local $w i32) (local $cp i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
        (local.set $w (i32.load (local.get $i)))
        (local.set $c (i32.and (local.get $w) (i32.const 0xff)))
        (if (i32.eq (i32.and (local.get $c) (i32.const 0xf0)) (i32.const 0xe0))
          (then
            (i32.store16 (local.get $o)
              (i32.or (i32.or
                (i32.shl (i32.and (local.get $c) (i32.const 0x0f)) (i32.const 12))
                (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 0x3f)) (i32.const 6)))
                (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 0x3f))))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))
            (local.set $i (i32.add (local.get $i) (i32.const 3)))
            (br $next)))
        (if (i32.lt_u (local.get $c) (i32.const 0x80))
          (then
            (if (i32.and (i32.eq (local.get $c) (i32.const 0x26)) (local.get $refs))
              (then
                ;; &lt; &gt;
                (if (i32.eq (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 0xffffff)) (i32.const 0x3b746c))
                  (then (i32.store16 (local.get $o) (i32.const 0x3c))
                        (local.set $o (i32.add (local.get $o) (i32.const 2)))
                        (local.set $i (i32.add (local.get $i) (i32.const 4)))
                        (br $next)))
                (if (i32.eq (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 0xffffff)) (i32.const 0x3b7467))
                  (then (i32.store16 (local.get $o) (i32.const 0x3e))
                        (local.set $o (i32.add (local.get $o) (i32.const 2)))
                        (local.set $i (i32.add (local.get $i) (i32.const 4)))
                        (br $next)))
                ;; &amp; &quot; &apos;: the next four bytes
                (local.set $cp (i32.load (i32.add (local.get $i) (i32.const 1))))
                (if (i32.eq (local.get $cp) (i32.const 0x3b706d61))
                  (then (i32.store16 (local.get $o) (i32.const 0x26))
                        (local.set $o (i32.add (local.get $o) (i32.const 2)))
                        (local.set $i (i32.add (local.get $i) (i32.const 5)))
                        (br $next)))
                (if (i32.and (i32.eq (local.get $cp) (i32.const 0x746f7571)) (i32.eq (i32.load8_u (i32.add (local.get $i) (i32.const 5))) (i32.const 0x3b)))
                  (then (i32.store16 (local.get $o) (i32.const 0x22))
                        (local.set $o (i32.add (local.get $o) (i32.const 2)))
                        (local.set $i (i32.add (local.get $i) (i32.const 6)))
                        (br $next)))
                (if (i32.and (i32.eq (local.get $cp) (i32.const 0x736f7061)) (i32.eq (i32.load8_u (i32.add (local.get $i) (i32.const 5))) (i32.const 0x3b)))
                  (then (i32.store16 (local.get $o) (i32.const 0x27))
                        (local.set $o (i32.add (local.get $o) (i32.const 2)))
                        (local.set $i (i32.add (local.get $i) (i32.const 6)))
                        (br $next)))
                (global.set $stop (local.get $i))
                (return (local.get $o))))
            (if (i32.lt_u (local.get $c) (i32.const 0x20))
              (then (if (i32.and (i32.ne (local.get $c) (i32.const 0x0a)) (i32.and (i32.ne (local.get $c) (i32.const 0x09)) (i32.ne (local.get $c) (i32.const 0x0d))))
                (then (global.set $odd (i32.const 1))))))
            (if (i32.eq (local.get $c) (i32.const 0x7f)) (then (global.set $odd (i32.const 1))))
            (i32.store16 (local.get $o) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (if (i32.ge_u (local.get $c) (i32.const 0xf0))
          (then
            (local.set $cp (i32.sub (i32.or (i32.or (i32.or
              (i32.shl (i32.and (local.get $c) (i32.const 0x07)) (i32.const 18))
              (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 0x3f)) (i32.const 12)))
              (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 0x3f)) (i32.const 6)))
              (i32.and (i32.shr_u (local.get $w) (i32.const 24)) (i32.const 0x3f))) (i32.const 0x10000)))
            (i32.store16 (local.get $o) (i32.add (i32.const 0xd800) (i32.shr_u (local.get $cp) (i32.const 10))))
            (i32.store16 (i32.add (local.get $o) (i32.const 2)) (i32.add (i32.const 0xdc00) (i32.and (local.get $cp) (i32.const 0x3ff))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $next)))
        ;; two bytes
        (local.set $cp (i32.or (i32.shl (i32.and (local.get $c) (i32.const 0x1f)) (i32.const 6)) (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 0x3f))))
        (if (i32.le_u (local.get $cp) (i32.const 0x9f)) (then (global.set $odd (i32.const 1))))
        (i32.store16 (local.get $o) (local.get $cp))
        (local.set $o (i32.add (local.get $o) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    (global.set $stop (local.get $i))
    (local.get $o))
)
