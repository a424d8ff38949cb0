/// Concatenation, slicing, reshaping and row repetition: operations that move elements without
/// arithmetic, whose gradients move them back.
extension Tape {
    /// [a b …] side by side (all with the same number of rows).
    public func concatColumns(_ parts: [Variable]) -> Variable { concatenate(parts, sideBySide: true) }

    /// [a; b; …] stacked (all with the same number of columns).
    public func concatRows(_ parts: [Variable]) -> Variable { concatenate(parts, sideBySide: false) }

    private func concatenate(_ parts: [Variable], sideBySide: Bool) -> Variable {
        precondition(!parts.isEmpty, "concatenation of nothing")
        let m = sideBySide ? parts[0].rows : parts.reduce(0) { $0 + $1.rows }
        let n = sideBySide ? parts.reduce(0) { $0 + $1.cols } : parts[0].cols
        precondition(parts.allSatisfy { sideBySide ? $0.rows == m : $0.cols == n },
                     sideBySide ? "concatColumns: row counts differ" : "concatRows: column counts differ")
        let out = allocate(m * n)
        var offsets: [Int] = []
        var offset = 0
        for p in parts {
            offsets.append(offset)
            let src = values(p), w = p.cols, o = offset
            if sideBySide {
                for i in 0..<m { (out + i * n + o).update(from: src + i * w, count: w) }
                offset += w
            } else {
                (out + o).update(from: src, count: p.count)
                offset += p.count
            }
        }
        return record(rows: m, cols: n, value: out, inputs: parts) { tape, g in
            for (p, o) in zip(parts, offsets) {
                let w = p.cols
                if sideBySide {
                    tape.accumulate(p) { k in g[(k / w) * n + o + k % w] }
                } else {
                    tape.accumulate(p) { k in g[o + k] }
                }
            }
        }
    }

    /// The columns `range` of x.
    public func sliceColumns(_ x: Variable, _ range: Range<Int>) -> Variable {
        precondition(range.lowerBound >= 0 && range.upperBound <= x.cols, "sliceColumns out of range")
        let m = x.rows, n = x.cols, w = range.count, lo = range.lowerBound
        let src = values(x)
        let out = allocate(m * w)
        for i in 0..<m { (out + i * w).update(from: src + i * n + lo, count: w) }
        return record(rows: m, cols: w, value: out, inputs: [x]) { tape, g in
            tape.accumulate(x) { k in
                let j = k % n - lo
                return j >= 0 && j < w ? g[(k / n) * w + j] : 0
            }
        }
    }

    /// The rows `range` of x.
    public func sliceRows(_ x: Variable, _ range: Range<Int>) -> Variable {
        precondition(range.lowerBound >= 0 && range.upperBound <= x.rows, "sliceRows out of range")
        let n = x.cols, lo = range.lowerBound * n, hi = range.upperBound * n
        let out = allocate(range.count * n)
        out.update(from: values(x) + lo, count: range.count * n)
        return record(rows: range.count, cols: n, value: out, inputs: [x]) { tape, g in
            tape.accumulate(x) { k in k >= lo && k < hi ? g[k - lo] : 0 }
        }
    }

    /// The same elements (row-major order) viewed as rows × cols; the value is shared, not copied.
    public func reshape(_ x: Variable, rows: Int, cols: Int) -> Variable {
        precondition(rows * cols == x.count, "reshape \(x.rows)×\(x.cols) to \(rows)×\(cols)")
        return record(rows: rows, cols: cols, value: values(x), inputs: [x]) { tape, g in
            tape.accumulate(x) { k in g[k] }
        }
    }

    /// Each row of x repeated `times` times in a row: (m × n) → (m·times × n).
    public func repeatRows(_ x: Variable, times k: Int) -> Variable {
        let m = x.rows, n = x.cols
        let src = values(x)
        let out = allocate(m * k * n)
        for i in 0..<m {
            for r in 0..<k { (out + (i * k + r) * n).update(from: src + i * n, count: n) }
        }
        return record(rows: m * k, cols: n, value: out, inputs: [x]) { tape, g in
            tape.accumulate(x) { idx in
                let i = idx / n, j = idx % n
                var s = 0.0
                for r in 0..<k { s += g[(i * k + r) * n + j] }
                return s
            }
        }
    }
}

extension Variable {
    public func sliceColumns(_ range: Range<Int>) -> Variable { tape.sliceColumns(self, range) }
    public func sliceRows(_ range: Range<Int>) -> Variable { tape.sliceRows(self, range) }
    public func reshaped(rows: Int, cols: Int) -> Variable { tape.reshape(self, rows: rows, cols: cols) }
}
