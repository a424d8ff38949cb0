/// The coordinates of selected particles, particle by particle (x, y[, z] of the first selected
/// particle, then the next): a linear CV whose Jacobian is a selection matrix. With one particle
/// of a 2D system it is the position CV of Müller–Brown-like models.
public struct ParticlePositions: CollectiveVariable {
    public let layout: ParticleLayout
    public let selection: [Int]

    public init(_ selection: [Int], layout: ParticleLayout) {
        precondition(!selection.isEmpty && selection.allSatisfy { (0..<layout.particles).contains($0) },
                     "select particles of the system")
        self.selection = selection
        self.layout = layout
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { selection.count * layout.spatialDimension }
    public var componentNames: [String] {
        let axes = ["x", "y", "z"]
        return selection.flatMap { p in (0..<layout.spatialDimension).map { "\(axes[$0])\(p + 1)" } }
    }

    public func value(_ x: [Double]) -> [Double] {
        selection.flatMap { layout.position($0, in: x) }
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for k in jacobian.indices { jacobian[k] = 0 }
        let d = inputDimension
        for (s, p) in selection.enumerated() {
            for a in 0..<layout.spatialDimension {
                jacobian[(s * layout.spatialDimension + a) * d + layout.index(p, a)] = 1
            }
        }
        return value(x)
    }
}
