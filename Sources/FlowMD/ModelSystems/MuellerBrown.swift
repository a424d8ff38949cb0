import Foundation

/// The Müller–Brown potential (K. Müller, L. D. Brown, Theor. Chim. Acta 53, 75 (1979)):
/// V(x, y) = s · Σᵢ Aᵢ exp(aᵢ(x − x⁰ᵢ)² + bᵢ(x − x⁰ᵢ)(y − y⁰ᵢ) + cᵢ(y − y⁰ᵢ)²)
/// with the standard parameters (DESIGN §7) times `scale` s (default 0.05, so that β = 1 gives
/// barriers of a few k_BT). Minima of the unscaled surface: A (−0.558, 1.442) −146.70,
/// B (0.623, 0.028) −108.17, C (−0.050, 0.467) −80.77; saddles (−0.822, 0.624) −40.66 and
/// (0.212, 0.293) −72.25.
public struct MuellerBrown: Potential {
    /// Approximate positions of the three minima (refine with a local minimizer if needed).
    public static let minima: [String: [Double]] = [
        "A": [-0.558224, 1.441726],
        "B": [0.623499, 0.028038],
        "C": [-0.050011, 0.466694],
    ]

    /// Approximate positions of the two saddle points.
    public static let saddles: [[Double]] = [[-0.822, 0.624], [0.212, 0.293]]

    public let scale: Double
    public var dimension: Int { 2 }

    public init(scale: Double = 0.05) {
        self.scale = scale
    }

    public func energy(_ x: [Double], gradient: inout [Double]) -> Double {
        let (v, gx, gy) = evaluate(x[0], x[1])
        gradient[0] = gx
        gradient[1] = gy
        return v
    }

    public func energy(_ x: [Double]) -> Double {
        evaluate(x[0], x[1]).0
    }

    /// The batched path: one loop over walkers around the scalar kernel, which the loop vectorizer
    /// turns into four walkers per AVX2 instruction (the loads of interleaved (x, y) pairs become
    /// shuffles), with a scalar remainder. Vector and scalar lanes do the same IEEE operations, so
    /// a walker's bits do not depend on the batch.
    public func energies(_ x: UnsafePointer<Double>, count: Int, energies: UnsafeMutablePointer<Double>,
                         gradients: UnsafeMutablePointer<Double>) {
        for k in 0..<count {
            let (v, gx, gy) = evaluate(x[2 &* k], x[2 &* k &+ 1])
            energies[k] = v
            gradients[2 &* k] = gx
            gradients[2 &* k &+ 1] = gy
        }
    }

    /// V, ∂V/∂x, ∂V/∂y at one point (the four terms unrolled with literal parameters).
    @inline(__always)
    public func evaluate(_ x: Double, _ y: Double) -> (Double, Double, Double) {
        let t1 = Self.term(x, y, -200, -1, 0, -10, 1, 0)
        let t2 = Self.term(x, y, -100, -1, 0, -10, 0, 0.5)
        let t3 = Self.term(x, y, -170, -6.5, 11, -6.5, -0.5, 1.5)
        let t4 = Self.term(x, y, 15, 0.7, 0.6, 0.7, -1, 1)
        return (scale * (((t1.0 + t2.0) + t3.0) + t4.0), scale * (((t1.1 + t2.1) + t3.1) + t4.1),
                scale * (((t1.2 + t2.2) + t3.2) + t4.2))
    }

    /// One term A·exp(a dx² + b dx dy + c dy²) and its two partial derivatives.
    @inline(__always)
    static func term(_ x: Double, _ y: Double, _ A: Double, _ a: Double, _ b: Double, _ c: Double, _ x0: Double,
                     _ y0: Double) -> (Double, Double, Double) {
        let dx = x - x0, dy = y - y0
        let e = A * KernelExp.exp(a * dx * dx + b * dx * dy + c * dy * dy)
        return (e, e * (2 * a * dx + b * dy), e * (b * dx + 2 * c * dy))
    }
}
