/// The ziggurat for blocks of walkers, four walkers per AVX2 vector: xoshiro256** in lanes
/// (`XoshiroLanes`) and the fast path (one draw, a compare) in lanes. A group of four walkers
/// whose draws all pass the fast path keeps the lanes' results; a walker with a draw outside it
/// (1.2% of draws) is redrawn from its saved state by the scalar `sample`, which takes the slow
/// path exactly where it would have on its own. So every walker gets the same deviates, and ends
/// in the same state, as `perWalker` calls of `sample`.
extension ZigguratNormal {
    /// `perWalker` deviates times `scale` for each of `walkers` walkers into `out` (walker-major),
    /// walker k's from `streams[k]`: the values of `perWalker` calls of `sample` per walker, times
    /// `scale`. Walkers beyond the last full group of four are drawn by the scalar path. The table
    /// pointer is read once per batch (each read of the lazily initialized global goes through
    /// `swift_once`, 2% of a Müller–Brown step when it was read per walker).
    public static func fill(_ out: UnsafeMutablePointer<Double>, walkers: Int, perWalker d: Int, scale: Double,
                            streams: WalkerStreams) {
        let t = table
        let groups = walkers / 4
        if d == 2 {
            fillGroups(groups, out, perWalker: 2, scale: scale, streams: streams, table: t)
        } else {
            fillGroups(groups, out, perWalker: d, scale: scale, streams: streams, table: t)
        }
        for w in (4 * groups)..<walkers {
            fillOne(out + w &* d, perWalker: d, scale: scale, stream: streams, walker: w, table: t)
        }
    }

    /// Walkers 0..<4·groups, four at a time. Inlined, so that a literal `perWalker` (Müller–Brown's
    /// 2) unrolls the draws of a group into straight-line code.
    @inline(__always)
    static func fillGroups(_ groups: Int, _ out: UnsafeMutablePointer<Double>, perWalker d: Int, scale: Double,
                           streams: WalkerStreams, table: UnsafePointer<Double>) {
        for g in 0..<groups {
            fillGroup(out + 4 &* g &* d, perWalker: d, scale: scale, streams: streams.advanced(by: 4 &* g), table: table)
        }
    }

    /// Four walkers (0…3 of `streams`) in lanes; a walker with a draw outside the fast path is
    /// redone by `fillOne` from its state in `streams`, which the lanes have not overwritten yet.
    /// Draws go in pairs, so a walker's two consecutive deviates are one 16-byte store (two stores
    /// of 32 bytes for four walkers of Müller–Brown).
    @inline(__always)
    static func fillGroup(_ out: UnsafeMutablePointer<Double>, perWalker d: Int, scale: Double, streams: WalkerStreams,
                          table: UnsafePointer<Double>) {
        var lanes = streams.loadLanes()
        var rejected = SIMDMask<SIMD4<Int64>>(repeating: false)
        var j = 0
        while j &+ 2 <= d {
            let (a, acceptedA) = fastPath(lanes.next(), table: table)
            let (b, acceptedB) = fastPath(lanes.next(), table: table)
            rejected .|= .!(acceptedA .& acceptedB)
            let first = scale * a, second = scale * b
            if d == 2 {
                let raw = UnsafeMutableRawPointer(out)
                raw.storeBytes(of: SIMD4(first[0], second[0], first[1], second[1]), as: SIMD4<Double>.self)
                raw.storeBytes(of: SIMD4(first[2], second[2], first[3], second[3]), toByteOffset: 32, as: SIMD4<Double>.self)
            } else {
                for l in 0..<4 {
                    UnsafeMutableRawPointer(out + (l &* d &+ j)).storeBytes(of: SIMD2(first[l], second[l]), as: SIMD2<Double>.self)
                }
            }
            j &+= 2
        }
        if j < d {
            let (a, accepted) = fastPath(lanes.next(), table: table)
            rejected .|= .!accepted
            let value = scale * a
            for l in 0..<4 { out[l &* d &+ j] = value[l] }
        }
        if !any(rejected) {
            streams.store(lanes)
            return
        }
        for l in 0..<4 {
            if rejected[l] {
                fillOne(out + l &* d, perWalker: d, scale: scale, stream: streams, walker: l, table: table)
            } else {
                streams.store(lanes, lane: l)
            }
        }
    }

    /// Walker w's `perWalker` deviates by the scalar path.
    @inline(__always)
    static func fillOne(_ out: UnsafeMutablePointer<Double>, perWalker d: Int, scale: Double, stream: WalkerStreams,
                        walker w: Int, table: UnsafePointer<Double>) {
        var rng = stream[w]
        for i in 0..<d { out[i] = scale * sample(&rng, table: table) }
        stream[w] = rng
    }

    /// `sample`'s fast path on four draws: u·xᵢ and whether each lane passed (|u| < xᵢ₊₁/xᵢ).
    /// u = bits₁₁…₆₃ · 2⁻⁵² − 1 is assembled in the exponent bits (AVX2 converts no 64-bit
    /// integers): with m = 1.f from the low 52 of those bits, u = m − 1 if the top bit is set and
    /// m − 2 if not, both exact, so the lanes' u equals the scalar conversion's bit for bit.
    @inline(__always)
    static func fastPath(_ bits: SIMD4<UInt64>, table: UnsafePointer<Double>) -> (SIMD4<Double>, SIMDMask<SIMD4<Int64>>) {
        let x = table, ratio = table + 2 * (layers + 1)
        let one: UInt64 = 0x3FF0_0000_0000_0000, two: UInt64 = 0x4000_0000_0000_0000
        let m = unsafeBitCast(((bits &>> 11) & 0x000F_FFFF_FFFF_FFFF) | one, to: SIMD4<Double>.self)
        let offset = unsafeBitCast(two &- ((bits &>> 63) &<< 52), to: SIMD4<Double>.self)
        let u = m - offset
        let i = SIMD4<Int>(truncatingIfNeeded: bits & 0xFF)
        let edges = SIMD4(x[i[0]], x[i[1]], x[i[2]], x[i[3]])
        let ratios = SIMD4(ratio[i[0]], ratio[i[1]], ratio[i[2]], ratio[i[3]])
        let magnitude = unsafeBitCast(unsafeBitCast(u, to: SIMD4<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: SIMD4<Double>.self)
        return (u * edges, magnitude .< ratios)
    }
}
