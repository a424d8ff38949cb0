/// Operations on per-sample blocks: a variable with m·k rows holds, for each of m samples, a block
/// of k consecutive rows (a per-sample Jacobian or tangent matrix). Batching all samples' blocks in
/// one tall matrix lets tangent propagation run as one BLAS product per layer.
extension Tape {
    /// t ⊙ (each row of f repeated k times): scales the block of sample b row by row by f[b, ·]
    /// (the activation derivative σ′(z_b) in tangent propagation). t is (m·k × n), f is (m × n).
    public func multiplyRepeated(_ t: Variable, by f: Variable, blockSize k: Int) -> Variable {
        let m = f.rows, n = f.cols
        precondition(t.rows == m * k && t.cols == n, "multiplyRepeated: \(t.rows)×\(t.cols) vs \(m)×\(n) blocks of \(k)")
        let pt = values(t), pf = values(f)
        let out = allocate(t.count)
        Parallel.forEachChunk(m, weight: k * n) { _, r in
            for b in r {
                let fr = pf + b * n
                for q in 0..<k {
                    let o = out + (b * k + q) * n, tr = pt + (b * k + q) * n
                    for j in 0..<n { o[j] = tr[j] * fr[j] }
                }
            }
        }
        return record(rows: t.rows, cols: n, value: out, inputs: [t, f]) { tape, g in
            if let (gt, fresh) = tape.gradientTarget(t) {
                Parallel.forEachChunk(m, weight: k * n) { _, r in
                    for b in r {
                        let fr = pf + b * n
                        for q in 0..<k {
                            let o = gt + (b * k + q) * n, gr = g + (b * k + q) * n
                            if fresh {
                                for j in 0..<n { o[j] = gr[j] * fr[j] }
                            } else {
                                for j in 0..<n { o[j] += gr[j] * fr[j] }
                            }
                        }
                    }
                }
            }
            if let (gf, fresh) = tape.gradientTarget(f) {
                Parallel.forEachChunk(m, weight: k * n) { _, r in
                    for b in r {
                        let o = gf + b * n
                        if fresh { o.update(repeating: 0, count: n) }
                        for q in 0..<k {
                            let gr = g + (b * k + q) * n, tr = pt + (b * k + q) * n
                            for j in 0..<n { o[j] += gr[j] * tr[j] }
                        }
                    }
                }
            }
        }
    }

    /// Per-sample Gram matrices J_b J_bᵀ of the k × n blocks of j, flattened row-major: (m × k²).
    public func blockGram(_ j: Variable, blockSize k: Int) -> Variable {
        precondition(j.rows % k == 0, "blockGram: \(j.rows) rows are not blocks of \(k)")
        let m = j.rows / k, n = j.cols
        let pj = values(j)
        let out = allocate(m * k * k)
        Parallel.forEachChunk(m, weight: k * k * n) { _, r in
            for b in r {
                let blk = pj + b * k * n, o = out + b * k * k
                for p in 0..<k {
                    for q in 0..<k {
                        var s = 0.0
                        for c in 0..<n { s += blk[p * n + c] * blk[q * n + c] }
                        o[p * k + q] = s
                    }
                }
            }
        }
        return record(rows: m, cols: k * k, value: out, inputs: [j]) { tape, g in
            guard let (gj, fresh) = tape.gradientTarget(j) else { return }
            Parallel.forEachChunk(m, weight: k * k * n) { _, r in
                for b in r {
                    let blk = pj + b * k * n, gb = g + b * k * k, o = gj + b * k * n
                    if fresh { o.update(repeating: 0, count: k * n) }
                    for p in 0..<k {
                        for q in 0..<k {
                            let w = gb[p * k + q] + gb[q * k + p]
                            for c in 0..<n { o[p * n + c] += w * blk[q * n + c] }
                        }
                    }
                }
            }
        }
    }

    /// Transposes each k × n block of j: (m·k × n) → (m·n × k).
    public func blockTranspose(_ j: Variable, blockSize k: Int) -> Variable {
        precondition(j.rows % k == 0, "blockTranspose: \(j.rows) rows are not blocks of \(k)")
        let m = j.rows / k, n = j.cols
        let pj = values(j)
        let out = allocate(j.count)
        Self.transposeBlocks(pj, out, blocks: m, rows: k, cols: n, accumulate: false)
        return record(rows: m * n, cols: k, value: out, inputs: [j]) { tape, g in
            guard let (gj, fresh) = tape.gradientTarget(j) else { return }
            Self.transposeBlocks(g, gj, blocks: m, rows: n, cols: k, accumulate: !fresh)
        }
    }

    private static func transposeBlocks(_ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>,
                                        blocks m: Int, rows k: Int, cols n: Int, accumulate: Bool) {
        Parallel.forEachChunk(m, weight: k * n) { _, r in
            for b in r {
                let s = src + b * k * n, d = dst + b * k * n
                for p in 0..<k {
                    for c in 0..<n {
                        if accumulate { d[c * k + p] += s[p * n + c] } else { d[c * k + p] = s[p * n + c] }
                    }
                }
            }
        }
    }
}
