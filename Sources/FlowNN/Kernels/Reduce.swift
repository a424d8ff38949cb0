/// Deterministic sums over rows, columns and whole buffers.
///
/// Partial sums are taken over fixed chunks (see `Parallel`) and combined in chunk order, so the
/// rounding, and hence every bit of a gradient, is independent of the number of threads.
enum Reduce {
    /// out[j] = Σᵢ x[i·n + j] (or += when `accumulate`): the sum over the rows of an m × n buffer.
    static func overRows(_ x: UnsafePointer<Double>, rows m: Int, cols n: Int,
                         into out: UnsafeMutablePointer<Double>, accumulate: Bool) {
        let chunks = Parallel.chunkCount(m, weight: n)
        if chunks == 1 {
            if !accumulate { out.update(repeating: 0, count: n) }
            for i in 0..<m {
                let row = x + i * n
                for j in 0..<n { out[j] += row[j] }
            }
            return
        }
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: chunks * n)
        defer { partial.deallocate() }
        partial.update(repeating: 0, count: chunks * n)
        Parallel.forEachChunk(m, weight: n) { c, r in
            let p = partial + c * n
            for i in r {
                let row = x + i * n
                for j in 0..<n { p[j] += row[j] }
            }
        }
        if !accumulate { out.update(repeating: 0, count: n) }
        for c in 0..<chunks {
            let p = partial + c * n
            for j in 0..<n { out[j] += p[j] }
        }
    }

    /// out[i] = Σⱼ x[i·n + j] (or += when `accumulate`): the sum over the columns of each row.
    static func overColumns(_ x: UnsafePointer<Double>, rows m: Int, cols n: Int,
                            into out: UnsafeMutablePointer<Double>, accumulate: Bool) {
        Parallel.forEachChunk(m, weight: n) { _, r in
            for i in r {
                let row = x + i * n
                var s = 0.0
                for j in 0..<n { s += row[j] }
                out[i] = accumulate ? out[i] + s : s
            }
        }
    }

    /// Σᵢ x[i] over `count` elements.
    static func total(_ x: UnsafePointer<Double>, count: Int) -> Double {
        let chunks = Parallel.chunkCount(count)
        if chunks == 1 {
            var s = 0.0
            for i in 0..<count { s += x[i] }
            return s
        }
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
        defer { partial.deallocate() }
        partial.update(repeating: 0, count: chunks)
        Parallel.forEachChunk(count) { c, r in
            var s = 0.0
            for i in r { s += x[i] }
            partial[c] = s
        }
        var s = 0.0
        for c in 0..<chunks { s += partial[c] }
        return s
    }

    /// Sums an m × n buffer down to a broadcast shape r × c (r ∈ {1, m}, c ∈ {1, n}).
    static func toShape(_ x: UnsafePointer<Double>, rows m: Int, cols n: Int,
                        into out: UnsafeMutablePointer<Double>, rows r: Int, cols c: Int, accumulate: Bool) {
        switch (r == m, c == n) {
        case (true, true):
            if accumulate {
                for i in 0..<(m * n) { out[i] += x[i] }
            } else {
                out.update(from: x, count: m * n)
            }
        case (true, false): overColumns(x, rows: m, cols: n, into: out, accumulate: accumulate)
        case (false, true): overRows(x, rows: m, cols: n, into: out, accumulate: accumulate)
        case (false, false):
            let s = total(x, count: m * n)
            out[0] = accumulate ? out[0] + s : s
        }
    }
}
