import Foundation

/// The Müller–Brown potential (K. Müller, L. D. Brown, Theor. Chim. Acta 53, 75 (1979)):
/// V(x, y) = s · Σᵢ Aᵢ exp(aᵢ(x − x⁰ᵢ)² + bᵢ(x − x⁰ᵢ)(y − y⁰ᵢ) + cᵢ(y − y⁰ᵢ)²)
/// with the standard parameters (DESIGN §7) times `scale` s (default 0.05, so that β = 1 gives
/// barriers of a few k_BT). Minima of the unscaled surface: A (−0.558, 1.442) −146.70,
/// B (0.623, 0.028) −108.17, C (−0.050, 0.467) −80.77; saddles (−0.822, 0.624) −40.66 and
/// (0.212, 0.293) −72.25.
public struct MuellerBrown: Potential {
    static let A: [Double] = [-200, -100, -170, 15]
    static let a: [Double] = [-1, -1, -6.5, 0.7]
    static let b: [Double] = [0, 0, 11, 0.6]
    static let c: [Double] = [-10, -10, -6.5, 0.7]
    static let x0: [Double] = [1, 0, -0.5, -1]
    static let y0: [Double] = [0, 0.5, 1.5, 1]

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

    /// V, ∂V/∂x, ∂V/∂y at one point.
    @inline(__always)
    public func evaluate(_ x: Double, _ y: Double) -> (Double, Double, Double) {
        var v = 0.0, gx = 0.0, gy = 0.0
        for i in 0..<4 {
            let dx = x - Self.x0[i], dy = y - Self.y0[i]
            let e = Self.A[i] * exp(Self.a[i] * dx * dx + Self.b[i] * dx * dy + Self.c[i] * dy * dy)
            v += e
            gx += e * (2 * Self.a[i] * dx + Self.b[i] * dy)
            gy += e * (Self.b[i] * dx + 2 * Self.c[i] * dy)
        }
        return (scale * v, scale * gx, scale * gy)
    }
}
