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

    /// V, ∂V/∂x, ∂V/∂y at one point, the four terms unrolled with literal parameters
    /// (Aᵢ; aᵢ, bᵢ, cᵢ; x⁰ᵢ, y⁰ᵢ) = (−200; −1, 0, −10; 1, 0), (−100; −1, 0, −10; 0, 0.5),
    /// (−170; −6.5, 11, −6.5; −0.5, 1.5), (15; 0.7, 0.6, 0.7; −1, 1). Each term passes the
    /// gradient factors u = 2a dx + b dy and v = b dx + 2c dy of its exponent, which also give the
    /// exponent itself, a dx² + b dx dy + c dy² = (dx u + dy v)/2; the scale is folded into A.
    @inline(__always)
    public func evaluate(_ x: Double, _ y: Double) -> (Double, Double, Double) {
        let s = scale
        let dx1 = x - 1, dy1 = y
        let t1 = Self.term(dx1, dy1, u: -2 * dx1, v: -20 * dy1, amplitude: -200 * s)
        let dx2 = x, dy2 = y - 0.5
        let t2 = Self.term(dx2, dy2, u: -2 * dx2, v: -20 * dy2, amplitude: -100 * s)
        let dx3 = x + 0.5, dy3 = y - 1.5
        let t3 = Self.term(dx3, dy3, u: (-13 * dx3).addingProduct(11, dy3), v: (11 * dx3).addingProduct(-13, dy3),
                           amplitude: -170 * s)
        let dx4 = x + 1, dy4 = y - 1
        let t4 = Self.term(dx4, dy4, u: (1.4 * dx4).addingProduct(0.6, dy4), v: (0.6 * dx4).addingProduct(1.4, dy4),
                           amplitude: 15 * s)
        return (((t1.0 + t2.0) + t3.0) + t4.0, ((t1.1 + t2.1) + t3.1) + t4.1, ((t1.2 + t2.2) + t3.2) + t4.2)
    }

    /// log₂e / 2: the exponent's factor 1/2 and the base change of `KernelExp.exp2` in one product.
    @_transparent static var halfLog2e: Double { 0.7213475204444817 }

    /// One term A·e^q with q = (dx u + dy v)/2, and its partial derivatives A·e^q·u and A·e^q·v.
    @inline(__always)
    static func term(_ dx: Double, _ dy: Double, u: Double, v: Double, amplitude: Double) -> (Double, Double, Double) {
        let e = amplitude * KernelExp.exp2(halfLog2e * (dx * u).addingProduct(dy, v))
        return (e, e * u, e * v)
    }
}
