import Foundation

/// Splits 0..<count into contiguous chunks of `chunkSize` items and runs `body` on each chunk from
/// up to `threads` workers (nil: as many as `DispatchQueue.concurrentPerform` chooses). Chunk
/// boundaries depend only on `count` and `chunkSize`, never on the number of threads, so any
/// per-chunk computation (or per-chunk random stream) gives the same result on every machine.
/// With one worker the chunks run on the calling thread: `concurrentPerform` with one iteration
/// still wakes a libdispatch worker, which spun in `sched_yield` for 9% of the CPU time of a
/// one-thread Müller–Brown run.
public func parallelChunks(_ count: Int, chunkSize: Int, threads: Int? = nil, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let size = Swift.max(1, chunkSize)
    let chunks = (count + size - 1) / size
    let workers = Swift.min(chunks, threads ?? chunks)
    if workers <= 1 {
        for c in 0..<chunks { body((c * size)..<Swift.min(count, (c + 1) * size)) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        for c in stride(from: w, to: chunks, by: workers) { body((c * size)..<Swift.min(count, (c + 1) * size)) }
    }
}
