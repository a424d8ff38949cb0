import CLAPACKE

/// Which eigenpairs of a symmetric matrix to compute.
public enum EigenSelection: Equatable, Sendable {
    case all
    /// The `k` algebraically smallest eigenvalues.
    case smallest(Int)
    /// The `k` algebraically largest eigenvalues.
    case largest(Int)
}

/// Eigenvalues in ascending order and, if requested, the orthonormal eigenvectors as the columns
/// of `vectors` (column j belongs to `values[j]`).
public struct SymmetricEigenDecomposition: Sendable {
    public var values: [Double]
    public var vectors: Matrix

    public init(values: [Double], vectors: Matrix) {
        self.values = values
        self.vectors = vectors
    }
}

/// A thin singular value decomposition A = U·diag(s)·Vᵀ with p = min(m, n) singular values in
/// descending order; `u` is m × p and `vt` is p × n.
public struct SingularValueDecomposition: Sendable {
    public var u: Matrix
    public var singularValues: [Double]
    public var vt: Matrix
}

/// A minimum-norm least-squares solution and the effective rank LAPACK found.
public struct LeastSquaresSolution: Sendable {
    public var solution: Matrix
    public var rank: Int
    public var singularValues: [Double]
}

@inline(__always) private func ch(_ s: Unicode.Scalar) -> CChar { CChar(bitPattern: UInt8(ascii: s)) }

public extension Matrix {
    /// Eigen-decomposition of this symmetric matrix with LAPACK dsyevr (MRRR: O(n²) per vector, and
    /// only the selected pairs are computed). Only the upper triangle is read.
    func symmetricEigen(_ selection: EigenSelection = .all, computeVectors: Bool = true) throws
        -> SymmetricEigenDecomposition {
        guard rows == cols else { throw LinalgError.dimensionMismatch("symmetricEigen of a \(rows)×\(cols) matrix") }
        let n = rows
        var (il, iu) = (1, n)
        var range = ch("A")
        switch selection {
        case .all: break
        case .smallest(let k):
            guard k >= 0 && k <= n else { throw LinalgError.invalidArgument("asked for \(k) of \(n) eigenvalues") }
            (il, iu, range) = (1, k, ch("I"))
        case .largest(let k):
            guard k >= 0 && k <= n else { throw LinalgError.invalidArgument("asked for \(k) of \(n) eigenvalues") }
            (il, iu, range) = (n - k + 1, n, ch("I"))
        }
        let count = iu - il + 1
        if n == 0 || count == 0 {
            return SymmetricEigenDecomposition(values: [], vectors: Matrix(rows: n, cols: 0))
        }
        var a = storage
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: computeVectors ? n * count : 1)
        var isuppz = [Int32](repeating: 0, count: 2 * n)
        var found: Int32 = 0
        let info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, computeVectors ? ch("V") : ch("N"), range, ch("U"),
                                  Int32(n), &a, Int32(n), 0, 0, Int32(il), Int32(iu), 0, &found, &w, &z,
                                  Int32(computeVectors ? count : 1), &isuppz)
        try checkLapack("dsyevr", info) { _ in "internal error in the MRRR eigensolver (dstemr)" }
        let m = Int(found)
        let vectors = computeVectors ? Matrix(rows: n, cols: count, storage: z).columns(0..<m)
                                     : Matrix(rows: n, cols: 0)
        return SymmetricEigenDecomposition(values: Array(w[0..<m]), vectors: vectors)
    }

    /// The lower-triangular Cholesky factor L with A = L·Lᵀ (LAPACK dpotrf); zeros above the diagonal.
    func cholesky() throws -> Matrix {
        guard rows == cols else { throw LinalgError.dimensionMismatch("cholesky of a \(rows)×\(cols) matrix") }
        var a = storage
        if rows > 0 {
            let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, ch("L"), Int32(rows), &a, Int32(rows))
            try checkLapack("dpotrf", info) { "the leading minor of order \($0) is not positive definite" }
        }
        var l = Matrix(rows: rows, cols: cols, storage: a)
        for i in 0..<rows { for j in (i + 1)..<Swift.max(i + 1, cols) { l[i, j] = 0 } }
        return l
    }

    /// Solves A·X = B for symmetric positive definite A (self) by Cholesky (dposv).
    func choleskySolve(_ b: Matrix) throws -> Matrix {
        guard rows == cols, b.rows == rows else {
            throw LinalgError.dimensionMismatch("choleskySolve of \(rows)×\(cols) with right-hand side \(b.rows)×\(b.cols)")
        }
        var a = storage
        var x = b.storage
        if rows > 0 && b.cols > 0 {
            let info = LAPACKE_dposv(LAPACK_ROW_MAJOR, ch("L"), Int32(rows), Int32(b.cols), &a, Int32(rows),
                                     &x, Int32(b.cols))
            try checkLapack("dposv", info) { "the leading minor of order \($0) is not positive definite" }
        }
        return Matrix(rows: b.rows, cols: b.cols, storage: x)
    }

    /// Solves A·X = B for square A (self) by LU with partial pivoting (dgesv).
    func solve(_ b: Matrix) throws -> Matrix {
        guard rows == cols, b.rows == rows else {
            throw LinalgError.dimensionMismatch("solve of \(rows)×\(cols) with right-hand side \(b.rows)×\(b.cols)")
        }
        var a = storage
        var x = b.storage
        var pivots = [Int32](repeating: 0, count: rows)
        if rows > 0 && b.cols > 0 {
            let info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(rows), Int32(b.cols), &a, Int32(rows), &pivots,
                                     &x, Int32(b.cols))
            try checkLapack("dgesv", info) { "U(\($0),\($0)) is exactly zero: the matrix is singular" }
        }
        return Matrix(rows: b.rows, cols: b.cols, storage: x)
    }

    /// Solves A·x = b for one right-hand side by LU (dgesv).
    func solve(_ b: [Double]) throws -> [Double] {
        try solve(Matrix(rows: b.count, cols: 1, storage: b)).storage
    }

    /// Minimum-norm solution of min ‖A·X − B‖₂ through the SVD (dgelsd); singular values below
    /// `rcond`·σ_max are treated as zero (a negative `rcond` means machine precision).
    func leastSquares(_ b: Matrix, rcond: Double = -1) throws -> LeastSquaresSolution {
        guard b.rows == rows else {
            throw LinalgError.dimensionMismatch("leastSquares of \(rows)×\(cols) with right-hand side \(b.rows)×\(b.cols)")
        }
        let (m, n, nrhs) = (rows, cols, b.cols)
        let ldb = Swift.max(m, n)
        var a = storage
        var x = [Double](repeating: 0, count: ldb * nrhs)
        for i in 0..<m { for j in 0..<nrhs { x[i * nrhs + j] = b[i, j] } }
        var s = [Double](repeating: 0, count: Swift.max(1, Swift.min(m, n)))
        var rank: Int32 = 0
        if m > 0 && n > 0 && nrhs > 0 {
            let info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), &a, Int32(n), &x,
                                      Int32(nrhs), &s, rcond, &rank)
            try checkLapack("dgelsd", info) { "the SVD did not converge (\($0) off-diagonal elements)" }
        }
        return LeastSquaresSolution(solution: Matrix(rows: ldb, cols: nrhs, storage: x).rows(0..<n),
                                    rank: Int(rank), singularValues: Array(s[0..<Swift.min(m, n)]))
    }

    /// Thin SVD by divide and conquer (dgesdd).
    func svd() throws -> SingularValueDecomposition {
        let (m, n) = (rows, cols)
        let p = Swift.min(m, n)
        var a = storage
        var s = [Double](repeating: 0, count: Swift.max(p, 1))
        var u = [Double](repeating: 0, count: Swift.max(m * p, 1))
        var vt = [Double](repeating: 0, count: Swift.max(p * n, 1))
        if p > 0 {
            let info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, ch("S"), Int32(m), Int32(n), &a, Int32(n), &s, &u,
                                      Int32(p), &vt, Int32(n))
            try checkLapack("dgesdd", info) { _ in "the bidiagonal SVD (dbdsdc) did not converge" }
        }
        return SingularValueDecomposition(u: Matrix(rows: m, cols: p, storage: Array(u[0..<(m * p)])),
                                          singularValues: Array(s[0..<p]),
                                          vt: Matrix(rows: p, cols: n, storage: Array(vt[0..<(p * n)])))
    }

    /// Q of the thin Householder QR factorization A = QR (dgeqrf + dorgqr): orthonormal columns
    /// spanning the column space of a tall matrix, stable even when the columns are nearly
    /// dependent (where Gram–Schmidt or Cholesky QR lose orthogonality).
    func orthonormalizedColumns() throws -> Matrix {
        let (m, n) = (rows, cols)
        guard m >= n else { throw LinalgError.dimensionMismatch("thin QR of a \(m)×\(n) matrix needs rows ≥ columns") }
        if n == 0 { return self }
        var a = storage
        var tau = [Double](repeating: 0, count: n)
        try checkLapack("dgeqrf", LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), &a, Int32(n), &tau)) { _ in "internal error" }
        try checkLapack("dorgqr", LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), &a, Int32(n), &tau)) { _ in "internal error" }
        return Matrix(rows: m, cols: n, storage: a)
    }
}
