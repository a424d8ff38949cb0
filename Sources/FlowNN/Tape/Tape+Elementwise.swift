/// Elementwise binary operations with broadcasting: each operand is either the full m × n shape, a
/// row (1 × n, e.g. a bias), a column (m × 1, e.g. per-sample weights) or a scalar (1 × 1). The
/// gradient of a broadcast operand is the sum of the contributions over the broadcast dimension.
enum BinaryOperator {
    case add, subtract, multiply, divide

    @inline(__always)
    func apply(_ x: Double, _ y: Double) -> Double {
        switch self {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide: return x / y
        }
    }
}

/// Read access to an operand broadcast to m × n.
struct Broadcast {
    let base: UnsafePointer<Double>
    let rowStride: Int
    let colStride: Int

    init(_ p: UnsafePointer<Double>, rows: Int, cols: Int) {
        base = p
        rowStride = rows == 1 ? 0 : cols
        colStride = cols == 1 ? 0 : 1
    }

    @inline(__always) func row(_ i: Int) -> UnsafePointer<Double> { base + i * rowStride }
    @inline(__always) subscript(_ row: UnsafePointer<Double>, _ j: Int) -> Double { row[j * colStride] }
}

extension Tape {
    public func add(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .add) }
    public func subtract(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .subtract) }
    public func multiply(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .multiply) }
    public func divide(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .divide) }

    func binary(_ a: Variable, _ b: Variable, _ op: BinaryOperator) -> Variable {
        let m = Swift.max(a.rows, b.rows), n = Swift.max(a.cols, b.cols)
        precondition((a.rows == m || a.rows == 1) && (b.rows == m || b.rows == 1)
                     && (a.cols == n || a.cols == 1) && (b.cols == n || b.cols == 1),
                     "cannot broadcast \(a.rows)×\(a.cols) with \(b.rows)×\(b.cols)")
        let va = Broadcast(values(a), rows: a.rows, cols: a.cols)
        let vb = Broadcast(values(b), rows: b.rows, cols: b.cols)
        let out = allocate(m * n)
        Parallel.forEachChunk(m, weight: n) { _, r in
            for i in r {
                let ra = va.row(i), rb = vb.row(i), o = out + i * n
                if va.colStride == 1 && vb.colStride == 1 {
                    for j in 0..<n { o[j] = op.apply(ra[j], rb[j]) }
                } else {
                    for j in 0..<n { o[j] = op.apply(va[ra, j], vb[rb, j]) }
                }
            }
        }
        return record(rows: m, cols: n, value: out, inputs: [a, b]) { tape, g in
            switch op {
            case .add:
                tape.accumulateReduced(a, g, rows: m, cols: n, negate: false)
                tape.accumulateReduced(b, g, rows: m, cols: n, negate: false)
            case .subtract:
                tape.accumulateReduced(a, g, rows: m, cols: n, negate: false)
                tape.accumulateReduced(b, g, rows: m, cols: n, negate: true)
            case .multiply:
                tape.accumulateBroadcast(a, rows: m, cols: n) { i, j in g[i * n + j] * vb[vb.row(i), j] }
                tape.accumulateBroadcast(b, rows: m, cols: n) { i, j in g[i * n + j] * va[va.row(i), j] }
            case .divide:
                tape.accumulateBroadcast(a, rows: m, cols: n) { i, j in g[i * n + j] / vb[vb.row(i), j] }
                tape.accumulateBroadcast(b, rows: m, cols: n) { i, j in
                    -g[i * n + j] * out[i * n + j] / vb[vb.row(i), j]
                }
            }
        }
    }

    /// Adds `contribution(i, j)` over the m × n broadcast shape into the gradient of `target`,
    /// summing over the dimensions along which `target` was broadcast.
    @inline(__always)
    func accumulateBroadcast(_ target: Variable, rows m: Int, cols n: Int, _ contribution: (Int, Int) -> Double) {
        guard let (t, fresh) = gradientTarget(target) else { return }
        if target.rows == m && target.cols == n {
            Parallel.forEachChunk(m, weight: n) { _, r in
                for i in r {
                    let o = t + i * n
                    if fresh {
                        for j in 0..<n { o[j] = contribution(i, j) }
                    } else {
                        for j in 0..<n { o[j] += contribution(i, j) }
                    }
                }
            }
            return
        }
        let full = allocate(m * n)
        Parallel.forEachChunk(m, weight: n) { _, r in
            for i in r {
                for j in 0..<n { full[i * n + j] = contribution(i, j) }
            }
        }
        Reduce.toShape(full, rows: m, cols: n, into: t, rows: target.rows, cols: target.cols, accumulate: !fresh)
    }

    /// Adds ±g (m × n) into the gradient of `target`, summed down to its broadcast shape without a
    /// temporary of the full size (bias gradients are column sums of g).
    func accumulateReduced(_ target: Variable, _ g: UnsafePointer<Double>, rows m: Int, cols n: Int, negate: Bool) {
        guard let (t, fresh) = gradientTarget(target) else { return }
        let r = target.rows, c = target.cols
        if r == m && c == n {
            let s = negate ? -1.0 : 1.0
            Parallel.forEachChunk(m * n) { _, range in
                if fresh {
                    for i in range { t[i] = s * g[i] }
                } else {
                    for i in range { t[i] += s * g[i] }
                }
            }
            return
        }
        if !negate {
            Reduce.toShape(g, rows: m, cols: n, into: t, rows: r, cols: c, accumulate: !fresh)
            return
        }
        let partial = allocate(r * c)
        Reduce.toShape(g, rows: m, cols: n, into: partial, rows: r, cols: c, accumulate: false)
        for i in 0..<(r * c) { t[i] = fresh ? -partial[i] : t[i] - partial[i] }
    }

    /// A 1 × 1 constant, broadcast by the scalar operators.
    public func scalar(_ value: Double) -> Variable {
        constant(rows: 1, cols: 1, value: value)
    }
}
