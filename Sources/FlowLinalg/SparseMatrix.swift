/// A sparse matrix in compressed sparse row (CSR) form: the entries of row i are
/// `values[rowStart[i]..<rowStart[i+1]]` in columns `columnIndices[...]`, sorted by column with no
/// duplicates. Column indices are 32-bit to halve the memory traffic of matrix–vector products,
/// which dominate ARPACK solves on kNN kernels (10⁵ rows × ~100 entries).
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public private(set) var rowStart: [Int]
    public private(set) var columnIndices: [Int32]
    public var values: [Double]

    public var nonZeroCount: Int { values.count }

    /// Builds from coordinate (COO) triplets; entries with the same (row, column) are summed.
    public init(rows: Int, cols: Int, rowIndices: [Int], columnIndices cols0: [Int], values vals: [Double]) throws {
        guard rowIndices.count == cols0.count, cols0.count == vals.count else {
            throw LinalgError.dimensionMismatch("COO arrays of lengths \(rowIndices.count), \(cols0.count), \(vals.count)")
        }
        guard cols <= Int(Int32.max) else { throw LinalgError.invalidArgument("\(cols) columns exceed 32-bit indices") }
        for (r, c) in zip(rowIndices, cols0) where r < 0 || r >= rows || c < 0 || c >= cols {
            throw LinalgError.invalidArgument("entry (\(r), \(c)) outside a \(rows)×\(cols) matrix")
        }
        // Counting sort by row, then sort each row by column and sum duplicates.
        var count = [Int](repeating: 0, count: rows + 1)
        for r in rowIndices { count[r + 1] += 1 }
        for i in 0..<rows { count[i + 1] += count[i] }
        var next = count
        var order = [Int](repeating: 0, count: vals.count)
        for (e, r) in rowIndices.enumerated() {
            order[next[r]] = e
            next[r] += 1
        }
        var start = [Int](repeating: 0, count: rows + 1)
        var outCols = [Int32]()
        var outVals = [Double]()
        outCols.reserveCapacity(vals.count)
        outVals.reserveCapacity(vals.count)
        for i in 0..<rows {
            let entries = order[count[i]..<count[i + 1]].sorted { cols0[$0] != cols0[$1] ? cols0[$0] < cols0[$1] : $0 < $1 }
            var last = -1
            for e in entries {
                if cols0[e] == last {
                    outVals[outVals.count - 1] += vals[e]
                } else {
                    outCols.append(Int32(cols0[e]))
                    outVals.append(vals[e])
                    last = cols0[e]
                }
            }
            start[i + 1] = outVals.count
        }
        self.init(rows: rows, cols: cols, rowStart: start, columnIndices: outCols, values: outVals)
    }

    /// Wraps existing CSR arrays (rows sorted by column, no duplicates — not re-checked).
    public init(rows: Int, cols: Int, rowStart: [Int], columnIndices: [Int32], values: [Double]) {
        precondition(rowStart.count == rows + 1 && columnIndices.count == values.count
                     && rowStart.last == values.count, "inconsistent CSR arrays")
        self.rows = rows
        self.cols = cols
        self.rowStart = rowStart
        self.columnIndices = columnIndices
        self.values = values
    }

    /// A dense copy (tests and small problems).
    public var dense: Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<rows {
            for e in rowStart[i]..<rowStart[i + 1] { m[i, Int(columnIndices[e])] = values[e] }
        }
        return m
    }

    /// The transpose, in CSR form.
    public var transposed: SparseMatrix {
        var count = [Int](repeating: 0, count: cols + 1)
        for c in columnIndices { count[Int(c) + 1] += 1 }
        for j in 0..<cols { count[j + 1] += count[j] }
        var next = count
        var tc = [Int32](repeating: 0, count: values.count)
        var tv = [Double](repeating: 0, count: values.count)
        for i in 0..<rows {
            for e in rowStart[i]..<rowStart[i + 1] {
                let j = Int(columnIndices[e])
                tc[next[j]] = Int32(i)
                tv[next[j]] = values[e]
                next[j] += 1
            }
        }
        return SparseMatrix(rows: cols, cols: rows, rowStart: count, columnIndices: tc, values: tv)
    }

    /// How to merge A and Aᵀ into a symmetric matrix.
    public enum Symmetrization: Sendable {
        /// (A + Aᵀ)/2: an entry present on one side only gets half its value.
        case average
        /// Entry-wise maximum: the union of both sparsity patterns ("i is a neighbour of j or j of i").
        case union
        /// Entry-wise minimum over the common pattern ("mutual neighbours").
        case intersection
    }

    /// A symmetric matrix from this square one (see `Symmetrization`).
    public func symmetrized(_ mode: Symmetrization) throws -> SparseMatrix {
        guard rows == cols else { throw LinalgError.dimensionMismatch("symmetrizing a \(rows)×\(cols) matrix") }
        let t = transposed
        var start = [Int](repeating: 0, count: rows + 1)
        var outCols = [Int32]()
        var outVals = [Double]()
        outCols.reserveCapacity(values.count + values.count / 2)
        outVals.reserveCapacity(values.count + values.count / 2)
        for i in 0..<rows {
            var a = rowStart[i], b = t.rowStart[i]
            let aEnd = rowStart[i + 1], bEnd = t.rowStart[i + 1]
            while a < aEnd || b < bEnd {
                let ca = a < aEnd ? columnIndices[a] : Int32.max
                let cb = b < bEnd ? t.columnIndices[b] : Int32.max
                let va: Double?, vb: Double?, c: Int32
                if ca == cb { (va, vb, c) = (values[a], t.values[b], ca); a += 1; b += 1 }
                else if ca < cb { (va, vb, c) = (values[a], nil, ca); a += 1 }
                else { (va, vb, c) = (nil, t.values[b], cb); b += 1 }
                let merged: Double?
                switch mode {
                case .average: merged = ((va ?? 0) + (vb ?? 0)) / 2
                case .union: merged = Swift.max(va ?? -.infinity, vb ?? -.infinity)
                case .intersection: merged = (va != nil && vb != nil) ? Swift.min(va!, vb!) : nil
                }
                if let v = merged {
                    outCols.append(c)
                    outVals.append(v)
                }
            }
            start[i + 1] = outVals.count
        }
        return SparseMatrix(rows: rows, cols: cols, rowStart: start, columnIndices: outCols, values: outVals)
    }

    /// y ← A·x, rows split over threads for large matrices.
    public func multiply(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>) {
        rowStart.withUnsafeBufferPointer { rs in
            columnIndices.withUnsafeBufferPointer { ci in
                values.withUnsafeBufferPointer { v in
                    parallelChunks(rows, chunkSize: 4096) { range in
                        for i in range {
                            var s = 0.0
                            for e in rs[i]..<rs[i + 1] { s += v[e] * x[Int(ci[e])] }
                            y[i] = s
                        }
                    }
                }
            }
        }
    }

    /// A·x.
    public func multiplied(by x: [Double]) -> [Double] {
        precondition(x.count == cols, "sparse product with a vector of \(x.count) elements, expected \(cols)")
        var y = [Double](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                if let bx = px.baseAddress, let by = py.baseAddress { multiply(bx, into: by) }
            }
        }
        return y
    }

    /// Σⱼ Aᵢⱼ for every row.
    public var rowSums: [Double] {
        (0..<rows).map { i in values[rowStart[i]..<rowStart[i + 1]].reduce(0, +) }
    }

    /// diag(left)·A·diag(right); either side may be omitted.
    public func scaled(left: [Double]? = nil, right: [Double]? = nil) -> SparseMatrix {
        if let l = left { precondition(l.count == rows, "left scaling with \(l.count) factors for \(rows) rows") }
        if let r = right { precondition(r.count == cols, "right scaling with \(r.count) factors for \(cols) columns") }
        var out = self
        out.values.withUnsafeMutableBufferPointer { v in
            for i in 0..<rows {
                let li = left?[i] ?? 1
                for e in rowStart[i]..<rowStart[i + 1] {
                    v[e] *= li * (right?[Int(columnIndices[e])] ?? 1)
                }
            }
        }
        return out
    }

    /// The diagonal entries (zero where none is stored).
    public var diagonal: [Double] {
        (0..<Swift.min(rows, cols)).map { i in
            for e in rowStart[i]..<rowStart[i + 1] where Int(columnIndices[e]) == i { return values[e] }
            return 0
        }
    }
}

public extension SparseMatrix {
    /// Y ← A·X for a block of `columns` vectors stored row-major (X is cols × columns, Y rows ×
    /// columns): each stored entry is read once for the whole block, so a product with b vectors
    /// costs far less than b matrix–vector products (block eigensolvers, `ChebyshevEigensolver`).
    func multiply(block x: UnsafePointer<Double>, columns b: Int, into y: UnsafeMutablePointer<Double>) {
        rowStart.withUnsafeBufferPointer { rs in
            columnIndices.withUnsafeBufferPointer { ci in
                values.withUnsafeBufferPointer { v in
                    parallelChunks(rows, chunkSize: 2048) { range in
                        for i in range {
                            let out = y + i * b
                            for t in 0..<b { out[t] = 0 }
                            for e in rs[i]..<rs[i + 1] {
                                let a = v[e], source = x + Int(ci[e]) * b
                                for t in 0..<b { out[t] += a * source[t] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A·X for a row-major block X (cols × k).
    func multiplied(byBlock x: Matrix) -> Matrix {
        precondition(x.rows == cols, "sparse block product with \(x.rows) rows, expected \(cols)")
        var y = Matrix(rows: rows, cols: x.cols)
        x.storage.withUnsafeBufferPointer { px in
            y.storage.withUnsafeMutableBufferPointer { py in
                if let bx = px.baseAddress, let by = py.baseAddress { multiply(block: bx, columns: x.cols, into: by) }
            }
        }
        return y
    }
}
