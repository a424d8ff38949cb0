/// Lane-wise selection by bit masks for the SIMD kernels (LJ7). The standard library's
/// `replacing(with:where:)` is a per-lane loop that the optimizer leaves scalar; a comparison's
/// mask is all-ones or all-zeros per lane, so AND/OR on the bit patterns select without leaving
/// the vector registers. Each lane gets exactly one of the two values, bit for bit.
enum LaneSelect {
    /// `value` where `mask` is set, +0.0 elsewhere.
    @_transparent
    static func keep(_ value: SIMD8<Double>, where mask: SIMDMask<SIMD8<Int64>>) -> SIMD8<Double> {
        unsafeBitCast(unsafeBitCast(value, to: SIMD8<Int64>.self) & unsafeBitCast(mask, to: SIMD8<Int64>.self),
                      to: SIMD8<Double>.self)
    }
}
