/// Recycles Float64 buffers between training steps.
///
/// A training step records the same sequence of operations with the same shapes every time, so
/// handing the buffers of the previous step back to the next one removes almost every allocation
/// (and the page faults of large fresh allocations) from the training loop. Buffers are never
/// zeroed here: whoever takes one writes every element before reading it.
final class BufferPool {
    private var free: [Int: [UnsafeMutablePointer<Double>]] = [:]
    private var owned: [UnsafeMutablePointer<Double>] = []
    private var lent: [(UnsafeMutablePointer<Double>, Int)] = []

    /// A buffer of at least `count` elements, valid until `reclaimAll()`.
    func take(_ count: Int) -> UnsafeMutablePointer<Double> {
        let n = Swift.max(count, 1)
        let pointer: UnsafeMutablePointer<Double>
        if let p = free[n]?.popLast() {
            pointer = p
        } else {
            pointer = UnsafeMutablePointer<Double>.allocate(capacity: n)
            owned.append(pointer)
        }
        lent.append((pointer, n))
        return pointer
    }

    /// Returns every lent buffer to the free lists.
    func reclaimAll() {
        for (p, n) in lent { free[n, default: []].append(p) }
        lent.removeAll(keepingCapacity: true)
    }

    deinit {
        for p in owned { p.deallocate() }
    }
}
