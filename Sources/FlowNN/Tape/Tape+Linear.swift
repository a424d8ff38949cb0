extension Tape {
    /// op(a) · op(b), with op the identity or the transpose: one BLAS `dgemm` forward and one per
    /// input backward (dA = G·op(B)ᵀ, dB = op(A)ᵀ·G, transposed as needed).
    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "matmul: inner dimensions \(k) and \(kb) differ")
        let pa = values(a), pb = values(b)
        let out = allocate(m * n)
        gemm(m, n, k, pa, transposeA: transposeA, pb, transposeB: transposeB, out, beta: 0)
        return record(rows: m, cols: n, value: out, inputs: [a, b]) { tape, g in
            if let (ga, fresh) = tape.gradientTarget(a) {
                if transposeA {
                    gemm(k, m, n, pb, transposeA: transposeB, g, transposeB: true, ga, beta: fresh ? 0 : 1)
                } else {
                    gemm(m, k, n, g, transposeA: false, pb, transposeB: !transposeB, ga, beta: fresh ? 0 : 1)
                }
            }
            if let (gb, fresh) = tape.gradientTarget(b) {
                if transposeB {
                    gemm(n, k, m, g, transposeA: true, pa, transposeB: transposeA, gb, beta: fresh ? 0 : 1)
                } else {
                    gemm(k, n, m, pa, transposeA: !transposeA, g, transposeB: false, gb, beta: fresh ? 0 : 1)
                }
            }
        }
    }
}

extension Variable {
    /// self · other (matrix product).
    public func matmul(_ other: Variable, transposeOther: Bool = false) -> Variable {
        tape.matmul(self, other, transposeB: transposeOther)
    }
}

extension Tape {
    /// x·W + b for a batch x (m × in), weights W (in × out) and a bias row b (1 × out): a dense
    /// layer as one fused operation (the bias is written first and `dgemm` adds the product with
    /// β = 1), which saves a pass over the m × out output compared with matmul followed by add.
    public func linear(_ x: Variable, weight w: Variable, bias b: Variable) -> Variable {
        let m = x.rows, k = x.cols, n = w.cols
        precondition(w.rows == k, "linear: input has \(k) features, weight is \(w.rows)×\(w.cols)")
        precondition(b.rows == 1 && b.cols == n, "linear: bias must be 1×\(n)")
        let px = values(x), pw = values(w), pb = values(b)
        let out = allocate(m * n)
        Parallel.forEachChunk(m, weight: n) { _, r in
            for i in r { (out + i * n).update(from: pb, count: n) }
        }
        gemm(m, n, k, px, transposeA: false, pw, transposeB: false, out, beta: 1)
        return record(rows: m, cols: n, value: out, inputs: [x, w, b]) { tape, g in
            if let (gx, fresh) = tape.gradientTarget(x) {
                gemm(m, k, n, g, transposeA: false, pw, transposeB: true, gx, beta: fresh ? 0 : 1)
            }
            if let (gw, fresh) = tape.gradientTarget(w) {
                gemm(k, n, m, px, transposeA: true, g, transposeB: false, gw, beta: fresh ? 0 : 1)
            }
            tape.accumulateReduced(b, g, rows: m, cols: n, negate: false)
        }
    }
}
