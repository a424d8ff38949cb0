import FlowLinalg

/// The random streams of a block of walkers in structure-of-arrays form: word w of walker k's
/// xoshiro256** state is `words[w · stride + k]`, so four consecutive walkers' words load as one
/// AVX2 vector and `ZigguratNormal.fill` draws for four walkers per instruction. Single walkers
/// (MALA's acceptance draws, BAOAB, checkpoints) go through the subscript. Walker streams draw
/// normals by the ziggurat only, never by Box–Muller, so their state is the four words alone.
public struct WalkerStreams {
    let words: UnsafeMutablePointer<UInt64>
    /// Distance between one state word and the next of the same walker (the ensemble's walkers).
    let stride: Int

    /// Walker k's generator; setting it stores its four state words.
    public subscript(k: Int) -> RandomSource {
        get { RandomSource(state: (words[k], words[stride + k], words[2 * stride + k], words[3 * stride + k])) }
        nonmutating set {
            assert(newValue.spareNormal == nil, "walker streams keep no Box–Muller spare")
            words[k] = newValue.state.0
            words[stride + k] = newValue.state.1
            words[2 * stride + k] = newValue.state.2
            words[3 * stride + k] = newValue.state.3
        }
    }

    /// The streams from walker k on.
    func advanced(by k: Int) -> WalkerStreams {
        WalkerStreams(words: words + k, stride: stride)
    }

    /// Walkers 0…3's states, one per lane.
    @inline(__always)
    func loadLanes() -> XoshiroLanes {
        XoshiroLanes(s0: load(0), s1: load(1), s2: load(2), s3: load(3))
    }

    /// Stores `lanes` as walkers 0…3's states.
    @inline(__always)
    func store(_ lanes: XoshiroLanes) {
        store(lanes.s0, 0)
        store(lanes.s1, 1)
        store(lanes.s2, 2)
        store(lanes.s3, 3)
    }

    /// Stores lane l of `lanes` as walker l's state.
    @inline(__always)
    func store(_ lanes: XoshiroLanes, lane l: Int) {
        self[l] = RandomSource(state: (lanes.s0[l], lanes.s1[l], lanes.s2[l], lanes.s3[l]))
    }

    @inline(__always)
    private func load(_ w: Int) -> SIMD4<UInt64> {
        UnsafeRawPointer(words + w * stride).loadUnaligned(as: SIMD4<UInt64>.self)
    }

    @inline(__always)
    private func store(_ v: SIMD4<UInt64>, _ w: Int) {
        UnsafeMutableRawPointer(words + w * stride).storeBytes(of: v, as: SIMD4<UInt64>.self)
    }
}
