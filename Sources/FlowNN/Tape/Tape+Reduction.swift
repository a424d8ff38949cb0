/// Sums and means over the rows (the batch), the columns (the features of a sample) or everything.
extension Tape {
    /// 1 × n: Σᵢ x[i, ·] (the sum over the batch).
    public func sumOverRows(_ x: Variable) -> Variable { reduce(x, rows: 1, cols: x.cols, scale: 1) }
    /// m × 1: Σⱼ x[·, j] (the sum over the features of each sample).
    public func sumOverColumns(_ x: Variable) -> Variable { reduce(x, rows: x.rows, cols: 1, scale: 1) }
    /// 1 × 1: the sum of all elements.
    public func sum(_ x: Variable) -> Variable { reduce(x, rows: 1, cols: 1, scale: 1) }
    public func meanOverRows(_ x: Variable) -> Variable { reduce(x, rows: 1, cols: x.cols, scale: 1 / Double(x.rows)) }
    public func meanOverColumns(_ x: Variable) -> Variable { reduce(x, rows: x.rows, cols: 1, scale: 1 / Double(x.cols)) }
    public func mean(_ x: Variable) -> Variable { reduce(x, rows: 1, cols: 1, scale: 1 / Double(x.count)) }

    private func reduce(_ x: Variable, rows r: Int, cols c: Int, scale: Double) -> Variable {
        let m = x.rows, n = x.cols
        let out = allocate(r * c)
        Reduce.toShape(values(x), rows: m, cols: n, into: out, rows: r, cols: c, accumulate: false)
        if scale != 1 { for i in 0..<(r * c) { out[i] *= scale } }
        return record(rows: r, cols: c, value: out, inputs: [x]) { tape, grad in
            let gb = Broadcast(grad, rows: r, cols: c)
            tape.accumulateBroadcast(x, rows: m, cols: n) { i, j in scale * gb[gb.row(i), j] }
        }
    }
}

extension Variable {
    public func sumOverRows() -> Variable { tape.sumOverRows(self) }
    public func sumOverColumns() -> Variable { tape.sumOverColumns(self) }
    public func sum() -> Variable { tape.sum(self) }
    public func meanOverRows() -> Variable { tape.meanOverRows(self) }
    public func meanOverColumns() -> Variable { tape.meanOverColumns(self) }
    public func mean() -> Variable { tape.mean(self) }
}
