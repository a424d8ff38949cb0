import Foundation

/// Verlet neighbour list for cutoff non-bonded interactions (Verlet, Phys. Rev. 159, 98 (1967)),
/// built with a cell list in O(N): pairs within cutoff + skin, minus exclusions and 1-4 pairs
/// (which are listed separately). It is rebuilt when some atom has moved more than skin/2 since
/// the last build, so no pair inside the cutoff is ever missed.
///
/// The list is a cache owned by one force field value; a lock keeps it consistent if that value
/// is shared between threads (give each replica its own copy with `ForceField.independentCopy()`
/// to avoid contention).
final class NeighborList: @unchecked Sendable {
    private let lock = NSLock()
    private let scheme: CutoffScheme
    private let parameters: NonbondedParameters
    /// For each atom, the sorted atoms it must not be paired with (1-2, 1-3, explicit, 1-4).
    private let skip: [[Int32]]
    private var reference: [Double] = []
    private(set) var pairs = PairList()
    private(set) var buildCount = 0

    init(scheme: CutoffScheme, parameters: NonbondedParameters, skip: [[Int32]]) {
        self.scheme = scheme
        self.parameters = parameters
        self.skip = skip
    }

    /// Runs `body` with a list valid for positions `x`, rebuilding it first if needed.
    func withPairs<R>(for x: UnsafePointer<Double>, count: Int, _ body: (PairList) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        if needsRebuild(x, count) { rebuild(x, count) }
        return body(pairs)
    }

    private func needsRebuild(_ x: UnsafePointer<Double>, _ count: Int) -> Bool {
        guard reference.count == count else { return true }
        let limit = 0.25 * scheme.skin * scheme.skin
        for a in 0..<(count / 3) {
            let dx = x[3 * a] - reference[3 * a], dy = x[3 * a + 1] - reference[3 * a + 1], dz = x[3 * a + 2] - reference[3 * a + 2]
            if dx * dx + dy * dy + dz * dz > limit { return true }
        }
        return false
    }

    private func rebuild(_ x: UnsafePointer<Double>, _ count: Int) {
        let n = count / 3
        reference = Array(UnsafeBufferPointer(start: x, count: count))
        pairs.removeAll()
        buildCount += 1
        let reach = scheme.cutoff + scheme.skin
        var low = SIMD3<Double>(repeating: .infinity), high = SIMD3<Double>(repeating: -.infinity)
        for a in 0..<n {
            let p = SIMD3(x[3 * a], x[3 * a + 1], x[3 * a + 2])
            low = pointwiseMin(low, p); high = pointwiseMax(high, p)
        }
        let dims = SIMD3<Int>(((high - low) / reach).rounded(.down), rounding: .towardZero) &+ 1
        func cell(_ a: Int) -> SIMD3<Int> {
            let c = SIMD3<Int>(((SIMD3(x[3 * a], x[3 * a + 1], x[3 * a + 2]) - low) / reach).rounded(.down), rounding: .towardZero)
            return pointwiseMin(c, dims &- 1)
        }
        var heads = [Int](repeating: -1, count: dims.x * dims.y * dims.z)
        var next = [Int](repeating: -1, count: n)
        for a in 0..<n {
            let c = cell(a)
            let slot = (c.x * dims.y + c.y) * dims.z + c.z
            next[a] = heads[slot]
            heads[slot] = a
        }
        let reach2 = reach * reach
        for a in 0..<n {
            let c = cell(a)
            for ox in -1...1 { for oy in -1...1 { for oz in -1...1 {
                let o = c &+ SIMD3(ox, oy, oz)
                if any(o .< 0) || any(o .>= dims) { continue }
                var b = heads[(o.x * dims.y + o.y) * dims.z + o.z]
                while b >= 0 {
                    defer { b = next[b] }
                    if b <= a { continue }
                    let dx = x[3 * a] - x[3 * b], dy = x[3 * a + 1] - x[3 * b + 1], dz = x[3 * a + 2] - x[3 * b + 2]
                    if dx * dx + dy * dy + dz * dz > reach2 { continue }
                    if Self.contains(skip[a], Int32(b)) { continue }
                    pairs.append(a, b, parameters)
                }
            }}}
        }
    }

    static func contains(_ sorted: [Int32], _ value: Int32) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value
    }
}
