import CBLAS
import FlowLinalg

/// Row-major `C = alpha * op(A) op(B) + beta * C` on raw buffers (OpenBLAS `cblas_dgemm`).
///
/// `op(A)` is `m × k` and `op(B)` is `k × n`; `a` is stored `m × k` (or `k × m` when
/// `transposeA`), and likewise for `b`. With `beta == 0` the previous contents of `c` are never
/// read, so `c` may be an uninitialized pooled buffer. OpenBLAS splits a product over rows and
/// columns of C, never over k, so results are bit-identical for a fixed BLAS thread count.
@inline(__always)
func gemm(_ m: Int, _ n: Int, _ k: Int,
          _ a: UnsafePointer<Double>, transposeA: Bool,
          _ b: UnsafePointer<Double>, transposeB: Bool,
          _ c: UnsafeMutablePointer<Double>, alpha: Double = 1, beta: Double) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 {
            c.update(repeating: 0, count: m * n)
        } else {
            for i in 0..<(m * n) { c[i] *= beta }
        }
        return
    }
    cblas_dgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(transposeA ? m : k),
                b, Int32(transposeB ? k : n),
                beta, c, Int32(n))
}

/// The number of threads FlowNN computes with: OpenBLAS threads for products, and the number of
/// concurrent chunks of the tape's own elementwise kernels and reductions.
///
/// FlowNN's own kernels give the same bits for any thread count (fixed chunking); OpenBLAS
/// products do so for a fixed thread count. Set it once before training (1 for strict
/// reproducibility across machines with different core counts).
public enum ComputeThreads {
    /// Sets both the OpenBLAS and the tape thread counts; reads the OpenBLAS one.
    public static var count: Int {
        get { blas }
        set {
            blas = newValue
            tapeConcurrent = newValue > 1
        }
    }

    /// OpenBLAS threads (`BLASThreads`).
    public static var blas: Int {
        get { BLASThreads.count }
        set { BLASThreads.count = newValue }
    }

    /// Whether the tape's own kernels may run their chunks on several threads.
    public static var tapeConcurrent: Bool {
        get { Parallel.concurrent }
        set { Parallel.concurrent = newValue }
    }
}
