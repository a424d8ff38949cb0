/// Central moments of the coordination numbers, μ_k = (1/N) Σᵢ (cᵢ − c̄)^k — with k = 2, 3 the
/// (μ2, μ3) collective variables of LJ7 in 2D (DESIGN §7; Tribello, Ceriotti & Parrinello, PNAS
/// 107, 17509 (2010) introduced them for LJ7). Permutation-, translation- and rotation-invariant.
///
/// The gradient needs no N × D Jacobian of c: ∂μ_k = (k/N) Σᵢ wᵢ ∂cᵢ with
/// wᵢ = (cᵢ − c̄)^{k−1} − (1/N)Σⱼ (cⱼ − c̄)^{k−1}, and each pair term s_ij enters c_i and c_j alike.
public struct CoordinationMoments: CollectiveVariable {
    public let coordination: CoordinationNumbers
    public let orders: [Int]

    public init(layout: ParticleLayout, cutoff: Double = 1.5, orders: [Int] = [2, 3]) {
        precondition(!orders.isEmpty && orders.allSatisfy { $0 >= 2 }, "central moments of order ≥ 2")
        coordination = CoordinationNumbers(layout: layout, cutoff: cutoff)
        self.orders = orders
    }

    public var inputDimension: Int { coordination.inputDimension }
    public var outputDimension: Int { orders.count }
    public var componentNames: [String] { orders.map { "mu\($0)" } }

    public func value(_ x: [Double]) -> [Double] {
        Self.moments(of: coordination.value(x), orders: orders)
    }

    /// μ_k of the values `c` for each order k.
    public static func moments(of c: [Double], orders: [Int]) -> [Double] {
        let n = Double(c.count)
        let mean = c.reduce(0, +) / n
        return orders.map { k in c.reduce(0) { $0 + integerPower($1 - mean, k) } / n }
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let layout = coordination.layout
        let n = layout.particles, d = inputDimension
        let c = coordination.value(x)
        let mean = c.reduce(0, +) / Double(n)
        var values: [Double] = []
        var weights: [[Double]] = []
        for k in orders {
            values.append(c.reduce(0) { $0 + integerPower($1 - mean, k) } / Double(n))
            let p = c.map { integerPower($0 - mean, k - 1) }
            let pm = p.reduce(0, +) / Double(n)
            weights.append(p.map { Double(k) / Double(n) * ($0 - pm) })
        }
        for k in jacobian.indices { jacobian[k] = 0 }
        coordination.forEachPair(x) { i, j, _, dsdq, delta in
            for (m, w) in weights.enumerated() {
                let f = (w[i] + w[j]) * dsdq
                for a in 0..<layout.spatialDimension {
                    jacobian[m * d + layout.index(i, a)] += f * delta[a]
                    jacobian[m * d + layout.index(j, a)] -= f * delta[a]
                }
            }
        }
        return values
    }
}

/// x^k by repeated multiplication (the small integer orders of central moments).
@inline(__always)
func integerPower(_ x: Double, _ k: Int) -> Double {
    var r = 1.0
    for _ in 0..<k { r *= x }
    return r
}
