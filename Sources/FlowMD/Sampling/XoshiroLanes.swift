/// xoshiro256** on four streams at once, one per SIMD lane: the operations of
/// `RandomSource.next()`, so each lane yields exactly the sequence of the stream it was loaded
/// from. The multiplications by 5 and 9 are shifts and adds (AVX2 has no 64-bit multiply), the
/// rotations shifts and ORs — except s3's, an add of the disjoint halves: written with OR, LLVM's
/// SLP cost model split that rotation into four scalar `rorx` with extracts and inserts.
struct XoshiroLanes {
    var s0, s1, s2, s3: SIMD4<UInt64>

    @inline(__always)
    mutating func next() -> SIMD4<UInt64> {
        let times5 = (s1 &<< 2) &+ s1
        let rotated = (times5 &<< 7) | (times5 &>> 57)
        let result = (rotated &<< 3) &+ rotated
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 &<< 45) &+ (s3 &>> 19)
        return result
    }
}
