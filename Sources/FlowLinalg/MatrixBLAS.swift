import CBLAS

/// Level-2/3 BLAS on `Matrix` (row-major, so every call passes `CblasRowMajor`).
public extension Matrix {
    /// General product C ← α·op(A)·op(B) + β·C (BLAS dgemm). `c` must already have the shape of the
    /// product; with β = 0 its contents are ignored.
    static func gemm(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
                     alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.cols == n, "gemm: result is \(c.rows)×\(c.cols), expected \(m)×\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<c.storage.count { c.storage[i] *= beta }
            return
        }
        let lda = Int32(Swift.max(a.cols, 1)), ldb = Int32(Swift.max(b.cols, 1)), ldc = Int32(n)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), alpha, pa.baseAddress, lda,
                                pb.baseAddress, ldb, beta, pc.baseAddress, ldc)
                }
            }
        }
    }

    /// op(self)·op(other), scaled by `alpha`.
    func multiplied(by other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false,
                    alpha: Double = 1) -> Matrix {
        var c = Matrix(rows: transposeSelf ? cols : rows, cols: transposeOther ? other.rows : other.cols)
        Matrix.gemm(self, transposeA: transposeSelf, other, transposeB: transposeOther, alpha: alpha, into: &c)
        return c
    }

    static func * (a: Matrix, b: Matrix) -> Matrix { a.multiplied(by: b) }

    /// y ← α·op(A)·x + β·y (BLAS dgemv).
    static func gemv(_ a: Matrix, transpose: Bool = false, _ x: [Double], alpha: Double = 1,
                     beta: Double = 0, into y: inout [Double]) {
        let (xn, yn) = transpose ? (a.rows, a.cols) : (a.cols, a.rows)
        precondition(x.count == xn, "gemv: vector has \(x.count) elements, expected \(xn)")
        precondition(y.count == yn, "gemv: result has \(y.count) elements, expected \(yn)")
        if yn == 0 { return }
        if xn == 0 {
            for i in 0..<y.count { y[i] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(a.rows),
                                Int32(a.cols), alpha, pa.baseAddress, Int32(a.cols), px.baseAddress, 1,
                                beta, py.baseAddress, 1)
                }
            }
        }
    }

    /// op(self)·x.
    func multiplied(by x: [Double], transposeSelf: Bool = false) -> [Double] {
        var y = [Double](repeating: 0, count: transposeSelf ? cols : rows)
        Matrix.gemv(self, transpose: transposeSelf, x, into: &y)
        return y
    }

    static func * (a: Matrix, x: [Double]) -> [Double] { a.multiplied(by: x) }

    /// The symmetric Gram matrix AᵀA (`transposeFirst: true`, cols × cols) or AAᵀ (rows × rows),
    /// scaled by `alpha`, through BLAS dsyrk; both triangles are filled.
    func gram(transposeFirst: Bool = true, alpha: Double = 1) -> Matrix {
        let n = transposeFirst ? cols : rows
        let k = transposeFirst ? rows : cols
        var c = Matrix(rows: n, cols: n)
        if n == 0 || k == 0 { return c }
        storage.withUnsafeBufferPointer { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(CblasRowMajor, CblasUpper, transposeFirst ? CblasTrans : CblasNoTrans,
                            Int32(n), Int32(k), alpha, pa.baseAddress, Int32(cols), 0, pc.baseAddress, Int32(n))
                for i in 0..<n { for j in 0..<i { pc[i * n + j] = pc[j * n + i] } }
            }
        }
        return c
    }
}

/// Level-1 BLAS on plain vectors.
public extension Array where Element == Double {
    /// Σ xᵢ yᵢ (BLAS ddot).
    func dot(_ other: [Double]) -> Double {
        precondition(count == other.count, "dot of vectors with \(count) and \(other.count) elements")
        if isEmpty { return 0 }
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in cblas_ddot(Int32(count), a.baseAddress, 1, b.baseAddress, 1) }
        }
    }

    /// Euclidean norm, computed without overflow (BLAS dnrm2).
    var norm2: Double {
        if isEmpty { return 0 }
        return withUnsafeBufferPointer { cblas_dnrm2(Int32(count), $0.baseAddress, 1) }
    }

    /// self ← α·x + self (BLAS daxpy).
    mutating func axpy(_ alpha: Double, _ x: [Double]) {
        precondition(count == x.count, "axpy of vectors with \(x.count) and \(count) elements")
        if isEmpty { return }
        let n = Int32(count)
        x.withUnsafeBufferPointer { px in
            withUnsafeMutableBufferPointer { py in cblas_daxpy(n, alpha, px.baseAddress, 1, py.baseAddress, 1) }
        }
    }

    /// self ← α·self (BLAS dscal).
    mutating func scale(by alpha: Double) {
        if isEmpty { return }
        let n = Int32(count)
        withUnsafeMutableBufferPointer { cblas_dscal(n, alpha, $0.baseAddress, 1) }
    }
}
