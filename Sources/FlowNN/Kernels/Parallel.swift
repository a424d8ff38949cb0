import Dispatch

/// Deterministic data parallelism for the elementwise kernels and reductions of the tape.
///
/// Work is cut into chunks whose boundaries depend only on the problem size, never on the number
/// of threads, and reductions combine chunk partials in chunk order. Results are therefore
/// bit-identical whether the chunks run on one core or many (DESIGN.md §9, Randomness).
enum Parallel {
    /// Elements per chunk: large enough that dispatch overhead is negligible.
    static let grain = 16_384

    /// Whether chunks may run on several threads (`ComputeThreads.count > 1`).
    nonisolated(unsafe) static var concurrent = true

    /// Number of chunks of `grain` covering `count` items of `weight` elements each.
    @inline(__always)
    static func chunkCount(_ count: Int, weight: Int = 1) -> Int {
        let perChunk = Swift.max(1, grain / Swift.max(weight, 1))
        return Swift.max(1, (count + perChunk - 1) / perChunk)
    }

    /// Runs `body` over consecutive ranges of `0..<count` (items of `weight` elements each),
    /// concurrently when there is more than one chunk. Ranges are disjoint; `body` must only write
    /// to locations derived from its own range.
    @inline(__always)
    static func forEachChunk(_ count: Int, weight: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, weight: weight)
        let size = (count + chunks - 1) / Swift.max(chunks, 1)
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        if !concurrent {
            for c in 0..<chunks { body(c, (c * size)..<Swift.min(count, (c + 1) * size)) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size
            let hi = Swift.min(count, lo + size)
            if lo < hi { body(c, lo..<hi) }
        }
    }
}
