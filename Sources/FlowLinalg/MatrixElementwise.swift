/// Element-wise arithmetic, transposition and slicing of `Matrix`. These are O(rows·cols) memory
/// passes; everything with more arithmetic per element lives in `MatrixBLAS.swift`.
public extension Matrix {
    /// The transpose, written in cache-sized tiles so that large matrices do not thrash the cache.
    var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        let tile = 32
        let (r, c) = (rows, cols)
        storage.withUnsafeBufferPointer { src in
            t.storage.withUnsafeMutableBufferPointer { dst in
                for i0 in stride(from: 0, to: r, by: tile) {
                    for j0 in stride(from: 0, to: c, by: tile) {
                        for i in i0..<min(i0 + tile, r) {
                            for j in j0..<min(j0 + tile, c) { dst[j * r + i] = src[i * c + j] }
                        }
                    }
                }
            }
        }
        return t
    }

    /// Applies `f` to every element.
    func map(_ f: (Double) -> Double) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: storage.map(f))
    }

    /// Combines two matrices of equal shape element by element.
    func zipWith(_ other: Matrix, _ f: (Double, Double) -> Double) -> Matrix {
        precondition(rows == other.rows && cols == other.cols,
                     "element-wise operation on \(rows)×\(cols) and \(other.rows)×\(other.cols)")
        var out = storage
        other.storage.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<o.count { o[i] = f(o[i], b[i]) }
            }
        }
        return Matrix(rows: rows, cols: cols, storage: out)
    }

    static func + (a: Matrix, b: Matrix) -> Matrix { a.zipWith(b, +) }
    static func - (a: Matrix, b: Matrix) -> Matrix { a.zipWith(b, -) }
    static func * (s: Double, a: Matrix) -> Matrix { a.map { s * $0 } }
    static func * (a: Matrix, s: Double) -> Matrix { a.map { s * $0 } }
    static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }

    /// Element-wise (Hadamard) product.
    func hadamard(_ other: Matrix) -> Matrix { zipWith(other, *) }

    /// Rows `range` as a new matrix.
    func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "row range \(range) outside 0..<\(rows)")
        return Matrix(rows: range.count, cols: cols,
                      storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// The listed rows, in the given order (repeats allowed).
    func rows(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * cols)
        for i in indices {
            precondition(i >= 0 && i < rows, "row \(i) outside 0..<\(rows)")
            out.append(contentsOf: storage[(i * cols)..<((i + 1) * cols)])
        }
        return Matrix(rows: indices.count, cols: cols, storage: out)
    }

    /// The listed columns, in the given order (repeats allowed).
    func columns(_ indices: [Int]) -> Matrix {
        for j in indices { precondition(j >= 0 && j < cols, "column \(j) outside 0..<\(cols)") }
        var out = Matrix(rows: rows, cols: indices.count)
        let c = cols, k = indices.count
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for i in 0..<rows {
                    for (jj, j) in indices.enumerated() { dst[i * k + jj] = src[i * c + j] }
                }
            }
        }
        return out
    }

    /// Columns `range` as a new matrix.
    func columns(_ range: Range<Int>) -> Matrix { columns(Array(range)) }

    /// The main diagonal.
    var diagonal: [Double] { (0..<Swift.min(rows, cols)).map { storage[$0 * cols + $0] } }

    /// A square matrix with `d` on its diagonal.
    static func diagonal(_ d: [Double]) -> Matrix {
        var m = Matrix(rows: d.count, cols: d.count)
        for (i, v) in d.enumerated() { m.storage[i * d.count + i] = v }
        return m
    }

    /// Multiplies row i by `s[i]` (left multiplication by diag(s)).
    func scalingRows(_ s: [Double]) -> Matrix {
        precondition(s.count == rows, "row scaling with \(s.count) factors for \(rows) rows")
        var out = self
        let c = cols
        out.storage.withUnsafeMutableBufferPointer { o in
            for i in 0..<s.count { for j in 0..<c { o[i * c + j] *= s[i] } }
        }
        return out
    }

    /// Multiplies column j by `s[j]` (right multiplication by diag(s)).
    func scalingColumns(_ s: [Double]) -> Matrix {
        precondition(s.count == cols, "column scaling with \(s.count) factors for \(cols) columns")
        var out = self
        let c = cols
        s.withUnsafeBufferPointer { f in
            out.storage.withUnsafeMutableBufferPointer { o in
                for i in 0..<rows { for j in 0..<c { o[i * c + j] *= f[j] } }
            }
        }
        return out
    }

    /// Largest absolute difference to `other` (a test and convergence helper).
    func maxAbsDifference(_ other: Matrix) -> Double {
        precondition(rows == other.rows && cols == other.cols, "shapes differ")
        var m = 0.0
        for i in 0..<storage.count { m = Swift.max(m, abs(storage[i] - other.storage[i])) }
        return m
    }
}
