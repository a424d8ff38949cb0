import CLAPACKE

/// Cholesky factorization of a symmetric positive definite band matrix (LAPACK dpbtrf/dpbtrs):
/// O(n·w²) time and O(n·w) memory for half-bandwidth w. On a 2D grid numbered row by row the
/// 5-point operator has w = row length, so a 200×200 grid factors in well under a second, with
/// no fill-in outside the band (unlike a general sparse LU).
public struct BandedCholesky: Sendable {
    public let dimension: Int
    public let bandwidth: Int
    /// Column-major LAPACK band storage of the lower factor, leading dimension bandwidth + 1.
    private var band: [Double]

    /// Factors the symmetric matrix given by its lower-triangle entries `(row, column, value)` with
    /// row ≥ column (duplicates are summed).
    public init(dimension n: Int, lowerEntries: [(Int, Int, Double)]) throws {
        var w = 0
        for (i, j, _) in lowerEntries {
            guard i >= j, i < n, j >= 0 else {
                throw LinalgError.invalidArgument("band entry (\(i), \(j)) is not in the lower triangle of a \(n)×\(n) matrix")
            }
            w = Swift.max(w, i - j)
        }
        dimension = n
        bandwidth = w
        band = [Double](repeating: 0, count: (w + 1) * Swift.max(n, 1))
        for (i, j, v) in lowerEntries { band[(i - j) + j * (w + 1)] += v }
        if n > 0 {
            let info = LAPACKE_dpbtrf(LAPACK_COL_MAJOR, CChar(bitPattern: UInt8(ascii: "L")), Int32(n), Int32(w),
                                      &band, Int32(w + 1))
            try checkLapack("dpbtrf", info) { "the leading minor of order \($0) is not positive definite" }
        }
    }

    /// Solves A·x = b in place.
    public func solve(_ b: inout [Double]) throws {
        precondition(b.count == dimension, "right-hand side has \(b.count) elements, expected \(dimension)")
        if dimension == 0 { return }
        // dpbtrs only reads the factor; the C prototype is not const-qualified.
        let info = band.withUnsafeBufferPointer { f in
            LAPACKE_dpbtrs(LAPACK_COL_MAJOR, CChar(bitPattern: UInt8(ascii: "L")), Int32(dimension),
                           Int32(bandwidth), 1, UnsafeMutablePointer(mutating: f.baseAddress!), Int32(bandwidth + 1),
                           &b, Int32(dimension))
        }
        try checkLapack("dpbtrs", info) { _ in "unexpected positive info" }
    }

    /// Solves A·x = b into `x` (the form ARPACK's shift-invert mode calls).
    public func solve(_ b: UnsafePointer<Double>, into x: UnsafeMutablePointer<Double>) throws {
        var rhs = Array(UnsafeBufferPointer(start: b, count: dimension))
        try solve(&rhs)
        x.update(from: rhs, count: dimension)
    }
}
