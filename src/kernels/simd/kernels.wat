;; MetaRec Lab's own WebAssembly SIMD kernels, run on tfjs-wasm's heap (the module imports its memory).
;; Source of src/kernels/simd/kernelsWasm.generated.ts: after an edit run `npm run wasm`
;; (src/cli/wasm.ts assembles this file with wabt); a unit test fails while the two differ.
;;
;; Every pointer is a byte offset into tfjs-wasm's memory; every float is float32. Why a module of our
;; own: tfjs-wasm runs a per-task product as one XNNPACK call (~10 us to build and pack an operator, for a
;; few thousand multiply-adds) and an Adam update as ~11 SIMD passes; these do a whole meta-batch's
;; per-task products in one call and Adam in one pass (src/kernels/simdWasm.ts says what calls them).
(module
  (import "env" "memory" (memory 1))

  ;; sum_c x[c] y[c] over w floats (4 lanes, two accumulators, then a scalar tail)
  (func $dot (param $x i32) (param $y i32) (param $w i32) (result f32)
    (local $a v128) (local $b v128) (local $end i32) (local $s f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $w) (i32.const -8)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $a (f32x4.add (local.get $a)
          (f32x4.mul (v128.load align=4 (local.get $x)) (v128.load align=4 (local.get $y)))))
        (local.set $b (f32x4.add (local.get $b)
          (f32x4.mul (v128.load offset=16 align=4 (local.get $x)) (v128.load offset=16 align=4 (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $y (i32.add (local.get $y) (i32.const 32)))
        (br $l)))
    (local.set $a (f32x4.add (local.get $a) (local.get $b)))
    (local.set $s (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $w) (i32.const 7)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $x)) (f32.load (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $l)))
    (local.get $s))

  ;; sum_k x[k] y[k ys] (y strided by ys bytes): the scalar columns of $matmul
  (func $dotStrided (param $x i32) (param $y i32) (param $K i32) (param $ys i32) (result f32)
    (local $s f32) (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $K) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $x)) (f32.load (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (local.get $ys)))
        (br $l)))
    (local.get $s))

  ;; The register-blocked micro-kernels of $matmul: C[r, 0:4v] = sum_k X[r, k] Y[k, 0:4v] for a block of
  ;; R = 4 or 1 rows and 4v = 8 or 4 columns, accumulated in registers, stored once (C is overwritten).
  ;; x, y, c point at the block's first elements; xs, ys, cs: row strides in bytes.
  (func $mm4x8 (param $x i32) (param $y i32) (param $c i32) (param $K i32) (param $xs i32) (param $ys i32) (param $cs i32)
    (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $k i32)
    (local $y0 v128) (local $y1 v128) (local $a v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $x1 (i32.add (local.get $x) (local.get $xs)))
    (local.set $x2 (i32.add (local.get $x1) (local.get $xs)))
    (local.set $x3 (i32.add (local.get $x2) (local.get $xs)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $y0 (v128.load align=4 (local.get $y)))
        (local.set $y1 (v128.load offset=16 align=4 (local.get $y)))
        (local.set $a (v128.load32_splat (local.get $x)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $y0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $y1))))
        (local.set $a (v128.load32_splat (local.get $x1)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $y0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $y1))))
        (local.set $a (v128.load32_splat (local.get $x2)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $y0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $y1))))
        (local.set $a (v128.load32_splat (local.get $x3)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $y0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $y1))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
        (local.set $x2 (i32.add (local.get $x2) (i32.const 4)))
        (local.set $x3 (i32.add (local.get $x3) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (local.get $ys)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (v128.store align=4 (local.get $c) (local.get $c00))
    (v128.store offset=16 align=4 (local.get $c) (local.get $c01))
    (local.set $c (i32.add (local.get $c) (local.get $cs)))
    (v128.store align=4 (local.get $c) (local.get $c10))
    (v128.store offset=16 align=4 (local.get $c) (local.get $c11))
    (local.set $c (i32.add (local.get $c) (local.get $cs)))
    (v128.store align=4 (local.get $c) (local.get $c20))
    (v128.store offset=16 align=4 (local.get $c) (local.get $c21))
    (local.set $c (i32.add (local.get $c) (local.get $cs)))
    (v128.store align=4 (local.get $c) (local.get $c30))
    (v128.store offset=16 align=4 (local.get $c) (local.get $c31)))

  (func $mm1x8 (param $x i32) (param $y i32) (param $c i32) (param $K i32) (param $ys i32)
    (local $k i32) (local $a v128) (local $c0 v128) (local $c1 v128)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $a (v128.load32_splat (local.get $x)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $a) (v128.load align=4 (local.get $y)))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $a) (v128.load offset=16 align=4 (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (local.get $ys)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (v128.store align=4 (local.get $c) (local.get $c0))
    (v128.store offset=16 align=4 (local.get $c) (local.get $c1)))

  (func $mm4x4 (param $x i32) (param $y i32) (param $c i32) (param $K i32) (param $xs i32) (param $ys i32) (param $cs i32)
    (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $k i32) (local $y0 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $x1 (i32.add (local.get $x) (local.get $xs)))
    (local.set $x2 (i32.add (local.get $x1) (local.get $xs)))
    (local.set $x3 (i32.add (local.get $x2) (local.get $xs)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $y0 (v128.load align=4 (local.get $y)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $x)) (local.get $y0))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (v128.load32_splat (local.get $x1)) (local.get $y0))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load32_splat (local.get $x2)) (local.get $y0))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (v128.load32_splat (local.get $x3)) (local.get $y0))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
        (local.set $x2 (i32.add (local.get $x2) (i32.const 4)))
        (local.set $x3 (i32.add (local.get $x3) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (local.get $ys)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (v128.store align=4 (local.get $c) (local.get $c0))
    (local.set $c (i32.add (local.get $c) (local.get $cs)))
    (v128.store align=4 (local.get $c) (local.get $c1))
    (local.set $c (i32.add (local.get $c) (local.get $cs)))
    (v128.store align=4 (local.get $c) (local.get $c2))
    (local.set $c (i32.add (local.get $c) (local.get $cs)))
    (v128.store align=4 (local.get $c) (local.get $c3)))

  (func $mm1x4 (param $x i32) (param $y i32) (param $c i32) (param $K i32) (param $ys i32)
    (local $k i32) (local $c0 v128)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $x)) (v128.load align=4 (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (local.get $ys)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (v128.store align=4 (local.get $c) (local.get $c0)))

  ;; C[M, N] = X[M, K] Y[K, N], row-major with row strides xs, ys, cs (bytes); C overwritten (zeros when
  ;; K = 0). Blocks of 4 rows x 8 columns, then the row and column remainders.
  (func $matmul (param $x i32) (param $y i32) (param $c i32) (param $M i32) (param $K i32) (param $N i32)
    (param $xs i32) (param $ys i32) (param $cs i32)
    (local $i i32) (local $j i32) (local $M4 i32)
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    ;; column blocks of 8, then one of 4
    (block $cols8_done
      (loop $cols8
        (br_if $cols8_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M4)))
            (call $mm4x8
              (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs)))
              (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $cs))) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $K) (local.get $xs) (local.get $ys) (local.get $cs))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows)))
        (block $rest_done
          (loop $rest
            (br_if $rest_done (i32.ge_u (local.get $i) (local.get $M)))
            (call $mm1x8
              (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs)))
              (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $cs))) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $K) (local.get $ys))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rest)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols8)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $N))
      (then
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M4)))
            (call $mm4x4
              (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs)))
              (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $cs))) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $K) (local.get $xs) (local.get $ys) (local.get $cs))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows)))
        (block $rest_done
          (loop $rest
            (br_if $rest_done (i32.ge_u (local.get $i) (local.get $M)))
            (call $mm1x4
              (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs)))
              (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $cs))) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $K) (local.get $ys))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rest)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    ;; the last N mod 4 columns, one dot product per element (contiguous when N = 1: the vector $dot)
    (block $cols_done
      (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M)))
            (f32.store
              (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $cs))) (i32.shl (local.get $j) (i32.const 2)))
              (if (result f32) (i32.eq (local.get $ys) (i32.const 4))
                (then (call $dot (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs))) (local.get $y) (local.get $K)))
                (else (call $dotStrided
                  (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xs)))
                  (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2)))
                  (local.get $K) (local.get $ys)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))

  ;; out[i, j] = dot(A[i], B[j]) for A [m, w], B [n, w] (rows contiguous): gram's few-row case
  (func $dots (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $n i32) (param $w i32)
    (local $i i32) (local $j i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $w) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $n)))
            (f32.store (local.get $out) (call $dot
              (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $stride)))
              (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $stride))) (local.get $w)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; dst[j rows + i] = src[i cols + j]: a [rows, cols] block transposed (4-byte elements)
  (func $transpose (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $d i32)
    (block $rows_done
      (loop $r
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $c
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $cols)))
            (i32.store (local.get $d) (i32.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $rows) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $c)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $r))))

  ;; Segmented products over T tasks (kernels/segmentMatMul.ts's modes); na, nb: i32 [T] row counts;
  ;; w: the row width; scratch: room for the largest transposed block (B_t for gram, P_t for applyT).
  ;;   mode 0 gram:   out = P (flat blocks [na_t, nb_t]), P_t = A_t B_t^T for x = A [Ra, w], y = B [Rb, w]
  ;;   mode 1 apply:  out = C [Ra, w], C_t = P_t B_t     for x = P, y = B [Rb, w]
  ;;   mode 2 applyT: out = C [Rb, w], C_t = P_t^T A_t   for x = P, y = A [Ra, w]
  ;; Each a $matmul per task (gram and applyT after transposing the one operand into scratch).
  (func (export "segment") (param $mode i32) (param $x i32) (param $y i32) (param $out i32) (param $w i32)
    (param $na i32) (param $nb i32) (param $T i32) (param $scratch i32)
    (local $t i32) (local $m i32) (local $n i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $w) (i32.const 2)))
    (block $tasks_done
      (loop $tasks
        (br_if $tasks_done (i32.ge_u (local.get $t) (local.get $T)))
        (local.set $m (i32.load (i32.add (local.get $na) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $n (i32.load (i32.add (local.get $nb) (i32.shl (local.get $t) (i32.const 2)))))
        (if (i32.eqz (local.get $mode))
          (then
            ;; P_t [m, n] = A_t [m, w] (B_t^T [w, n]); for fewer than 4 rows of A_t (one row per task:
            ;; models/segment.ts taskRowProductT) one dot product per element, no transpose
            (if (i32.lt_u (local.get $m) (i32.const 4))
              (then (call $dots (local.get $x) (local.get $y) (local.get $out) (local.get $m) (local.get $n) (local.get $w)))
              (else
                (call $transpose (local.get $y) (local.get $scratch) (local.get $n) (local.get $w))
                (call $matmul (local.get $x) (local.get $scratch) (local.get $out) (local.get $m) (local.get $w) (local.get $n)
                  (local.get $stride) (i32.shl (local.get $n) (i32.const 2)) (i32.shl (local.get $n) (i32.const 2)))))
            (local.set $x (i32.add (local.get $x) (i32.mul (local.get $m) (local.get $stride))))
            (local.set $y (i32.add (local.get $y) (i32.mul (local.get $n) (local.get $stride))))
            (local.set $out (i32.add (local.get $out) (i32.shl (i32.mul (local.get $m) (local.get $n)) (i32.const 2)))))
          (else
            (if (i32.eq (local.get $mode) (i32.const 1))
              (then
                ;; C_t [m, w] = P_t [m, n] B_t [n, w]
                (call $matmul (local.get $x) (local.get $y) (local.get $out) (local.get $m) (local.get $n) (local.get $w)
                  (i32.shl (local.get $n) (i32.const 2)) (local.get $stride) (local.get $stride))
                (local.set $out (i32.add (local.get $out) (i32.mul (local.get $m) (local.get $stride))))
                (local.set $y (i32.add (local.get $y) (i32.mul (local.get $n) (local.get $stride)))))
              (else
                ;; C_t [n, w] = (P_t^T [n, m]) A_t [m, w]
                (call $transpose (local.get $x) (local.get $scratch) (local.get $m) (local.get $n))
                (call $matmul (local.get $scratch) (local.get $y) (local.get $out) (local.get $n) (local.get $m) (local.get $w)
                  (i32.shl (local.get $m) (i32.const 2)) (local.get $stride) (local.get $stride))
                (local.set $y (i32.add (local.get $y) (i32.mul (local.get $m) (local.get $stride))))
                (local.set $out (i32.add (local.get $out) (i32.mul (local.get $n) (local.get $stride))))))
            (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $m) (local.get $n)) (i32.const 2))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tasks))))

  ;; o[c] += s y[c] over w floats (the row kernels' weighted row add)
  (func $axpy (param $o i32) (param $y i32) (param $s f32) (param $w i32)
    (local $sv v128) (local $end i32)
    (local.set $sv (f32x4.splat (local.get $s)))
    (local.set $end (i32.add (local.get $o) (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store align=4 (local.get $o) (f32x4.add (v128.load align=4 (local.get $o))
          (f32x4.mul (local.get $sv) (v128.load align=4 (local.get $y)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $w) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (local.get $o) (f32.add (f32.load (local.get $o)) (f32.mul (local.get $s) (f32.load (local.get $y)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $l))))

  ;; The weighted embedding bag and its adjoint (kernels/rowsWasm.ts; the gather and the scatter-add are
  ;; its one-slot, unit-weight cases): over n rows, `groups` bags of `width` slots each, slot s holding a
  ;; table row idx[s] (skipped when -1) and a weight wts[s] (skipped when 0; all 1 when wts = 0):
  ;;   forward (adjoint = 0): out[r, g] += w src[idx]        (src: the table [V, e], out [n, groups e])
  ;;   adjoint (adjoint = 1): out[idx] += w src[r, g]        (src [n, groups e], out: the table [V, e])
  ;; out is accumulated into: the caller zeroes it (or starts it from another table). Indices are
  ;; checked by the caller. The [n, .] side's rows are `rowStride` floats apart and the bags start at
  ;; column `col` (rowStride = groups e, col = 0: a side of its own; else a column block of a wider
  ;; side, as embedSide's [index fields | multi-hot fields] rows).
  (func (export "bag") (param $src i32) (param $idx i32) (param $wts i32) (param $out i32) (param $n i32)
    (param $groups i32) (param $width i32) (param $e i32) (param $adjoint i32)
    (param $rowStride i32) (param $col i32)
    (local $r i32) (local $g i32) (local $j i32) (local $bag i32) (local $row i32) (local $i i32)
    (local $wt f32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $e) (i32.const 2)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $g (i32.const 0))
        (block $groups_done
          (loop $grp
            (br_if $groups_done (i32.ge_u (local.get $g) (local.get $groups)))
            ;; byte offset of bag (r, g) on the [n, .] side: (r rowStride + col + g e) floats
            (local.set $bag (i32.shl (i32.add (i32.add (i32.mul (local.get $r) (local.get $rowStride)) (local.get $col))
              (i32.mul (local.get $g) (local.get $e))) (i32.const 2)))
            (local.set $j (i32.const 0))
            (block $slots_done
              (loop $slots
                (br_if $slots_done (i32.ge_u (local.get $j) (local.get $width)))
                (local.set $wt (f32.const 1))
                (if (local.get $wts)
                  (then (local.set $wt (f32.load (local.get $wts)))
                        (local.set $wts (i32.add (local.get $wts) (i32.const 4)))))
                (local.set $i (i32.load (local.get $idx)))
                (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
                (if (i32.and (f32.ne (local.get $wt) (f32.const 0)) (i32.ge_s (local.get $i) (i32.const 0)))
                  (then
                    (local.set $row (i32.mul (local.get $i) (local.get $stride)))
                    (if (local.get $adjoint)
                      (then (call $axpy (i32.add (local.get $out) (local.get $row)) (i32.add (local.get $src) (local.get $bag))
                        (local.get $wt) (local.get $e)))
                      (else (call $axpy (i32.add (local.get $out) (local.get $bag)) (i32.add (local.get $src) (local.get $row))
                        (local.get $wt) (local.get $e))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $slots)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $grp)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; Leaky ReLU and its adjoint over n floats (slope 0: ReLU), as in kernels/elementwiseWebgpu.ts:
  ;;   backward = 0: out = x            where x > 0, slope x  elsewhere
  ;;   backward = 1: out = dy           where x > 0, slope dy elsewhere   (dy * step(x, slope))
  ;; v = x (forward) or dy (adjoint); lanes pick v or slope v by the mask x > 0.
  (func (export "leaky") (param $v i32) (param $x i32) (param $out i32) (param $n i32) (param $slope f32)
    (local $end i32) (local $S v128) (local $Z v128) (local $vv v128) (local $s f32)
    (local.set $S (f32x4.splat (local.get $slope)))
    (local.set $end (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $vv (v128.load align=4 (local.get $v)))
        (v128.store align=4 (local.get $out) (v128.bitselect (local.get $vv) (f32x4.mul (local.get $S) (local.get $vv))
          (f32x4.gt (v128.load align=4 (local.get $x)) (local.get $Z))))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $s (f32.load (local.get $v)))
        (f32.store (local.get $out) (select (local.get $s) (f32.mul (local.get $slope) (local.get $s))
          (f32.gt (f32.load (local.get $x)) (f32.const 0))))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l))))

  ;; Adam over n floats: g' = c g, m' = b1 m + (1 - b1) g', v' = b2 v + (1 - b2) g'^2,
  ;; p' = shrink p - rate m' / (sqrt(v') + eps); outputs po, mo, vo (fresh buffers, never the inputs).
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $po i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $c f32) (param $rate f32) (param $shrink f32) (param $b1 f32) (param $b2 f32) (param $eps f32)
    (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $C v128) (local $R v128) (local $S v128) (local $B1 v128) (local $B2 v128) (local $E v128)
    (local $A1 v128) (local $A2 v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $C (f32x4.splat (local.get $c)))
    (local.set $R (f32x4.splat (local.get $rate)))
    (local.set $S (f32x4.splat (local.get $shrink)))
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (local.set $A1 (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $A2 (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $gv (f32x4.mul (local.get $C) (v128.load align=4 (local.get $g))))
        (local.set $mv (f32x4.add (f32x4.mul (local.get $B1) (v128.load align=4 (local.get $m)))
          (f32x4.mul (local.get $A1) (local.get $gv))))
        (local.set $vv (f32x4.add (f32x4.mul (local.get $B2) (v128.load align=4 (local.get $v)))
          (f32x4.mul (local.get $A2) (f32x4.mul (local.get $gv) (local.get $gv)))))
        (v128.store align=4 (local.get $mo) (local.get $mv))
        (v128.store align=4 (local.get $vo) (local.get $vv))
        (v128.store align=4 (local.get $po) (f32x4.sub (f32x4.mul (local.get $S) (v128.load align=4 (local.get $p)))
          (f32x4.div (f32x4.mul (local.get $R) (local.get $mv)) (f32x4.add (f32x4.sqrt (local.get $vv)) (local.get $E)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (local.set $mo (i32.add (local.get $mo) (i32.const 16)))
        (local.set $vo (i32.add (local.get $vo) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $gs (f32.mul (local.get $c) (f32.load (local.get $g))))
        (local.set $ms (f32.add (f32.mul (local.get $b1) (f32.load (local.get $m)))
          (f32.mul (f32.sub (f32.const 1) (local.get $b1)) (local.get $gs))))
        (local.set $vs (f32.add (f32.mul (local.get $b2) (f32.load (local.get $v)))
          (f32.mul (f32.sub (f32.const 1) (local.get $b2)) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (local.get $mo) (local.get $ms))
        (f32.store (local.get $vo) (local.get $vs))
        (f32.store (local.get $po) (f32.sub (f32.mul (local.get $shrink) (f32.load (local.get $p)))
          (f32.div (f32.mul (local.get $rate) (local.get $ms)) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (local.set $po (i32.add (local.get $po) (i32.const 4)))
        (local.set $mo (i32.add (local.get $mo) (i32.const 4)))
        (local.set $vo (i32.add (local.get $vo) (i32.const 4)))
        (br $l))))

  ;; SGD over n floats: po = shrink p - step g (step: the rate times the clip scale)
  (func (export "sgd") (param $p i32) (param $g i32) (param $po i32) (param $n i32)
    (param $step f32) (param $shrink f32)
    (local $end i32) (local $R v128) (local $S v128)
    (local.set $R (f32x4.splat (local.get $step)))
    (local.set $S (f32x4.splat (local.get $shrink)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store align=4 (local.get $po) (f32x4.sub (f32x4.mul (local.get $S) (v128.load align=4 (local.get $p)))
          (f32x4.mul (local.get $R) (v128.load align=4 (local.get $g)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $po) (f32.sub (f32.mul (local.get $shrink) (f32.load (local.get $p)))
          (f32.mul (local.get $step) (f32.load (local.get $g)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $po (i32.add (local.get $po) (i32.const 4)))
        (br $l))))
)
