/// All pairwise distances r_ij (i < j), optionally squared and/or sorted in increasing order —
/// the rotation- and translation-invariant features of clusters; sorted, also permutation-
/// invariant (Yuan, Sule, Lam & Cameron 2025, "sortrd2s"). Jacobian rows follow the sort.
public struct PairwiseDistances: CollectiveVariable {
    public let layout: ParticleLayout
    public let squared: Bool
    public let sorted: Bool

    public init(layout: ParticleLayout, squared: Bool = false, sorted: Bool = false) {
        precondition(layout.particles >= 2)
        self.layout = layout
        self.squared = squared
        self.sorted = sorted
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { layout.particles * (layout.particles - 1) / 2 }
    var pairs: [(Int, Int)] {
        (0..<layout.particles).flatMap { i in ((i + 1)..<layout.particles).map { (i, $0) } }
    }
    public var componentNames: [String] {
        sorted ? (1...outputDimension).map { "sorted_d\($0)" } : pairs.map { "\(squared ? "d2" : "d")\($0.0 + 1)_\($0.1 + 1)" }
    }

    public func value(_ x: [Double]) -> [Double] {
        var j = [Double](repeating: 0, count: outputDimension * inputDimension)
        return value(x, jacobian: &j)
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let d = inputDimension
        var values: [Double] = []
        var rows: [[Double]] = []
        for (i, j) in pairs {
            let u = ParticleGeometry.difference(x, layout, i, j)
            let r2 = ParticleGeometry.dot(u, u)
            let r = r2.squareRoot()
            values.append(squared ? r2 : r)
            var row = [Double](repeating: 0, count: d)
            let f = squared ? 2.0 : 1 / max(r, .leastNormalMagnitude)
            for a in 0..<layout.spatialDimension {
                row[layout.index(i, a)] = f * u[a]
                row[layout.index(j, a)] = -f * u[a]
            }
            rows.append(row)
        }
        let order = sorted ? values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) } : Array(values.indices)
        for (r, k) in order.enumerated() {
            for c in 0..<d { jacobian[r * d + c] = rows[k][c] }
        }
        return order.map { values[$0] }
    }
}
