/// The coordination numbers sorted in increasing order: the permutation-invariant feature map
/// of LJ clusters (Yuan, Sule, Lam & Cameron, "Learning collective variables that respect
/// permutational symmetry", arXiv:2507.00408 (2025)). Its Jacobian is the Jacobian of c with
/// rows permuted by the sort (defined wherever no two cᵢ tie).
public struct SortedCoordinationNumbers: CollectiveVariable {
    public let coordination: CoordinationNumbers

    public init(layout: ParticleLayout, cutoff: Double = 1.5) {
        coordination = CoordinationNumbers(layout: layout, cutoff: cutoff)
    }

    public var inputDimension: Int { coordination.inputDimension }
    public var outputDimension: Int { coordination.outputDimension }
    public var componentNames: [String] { (1...outputDimension).map { "sorted_c\($0)" } }

    public func value(_ x: [Double]) -> [Double] {
        coordination.value(x).sorted()
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let d = inputDimension
        var unsorted = [Double](repeating: 0, count: outputDimension * d)
        let c = coordination.value(x, jacobian: &unsorted)
        let order = c.indices.sorted { c[$0] < c[$1] || (c[$0] == c[$1] && $0 < $1) }
        for (row, i) in order.enumerated() {
            for k in 0..<d { jacobian[row * d + k] = unsorted[i * d + k] }
        }
        return order.map { c[$0] }
    }
}
