/// Several collective variables side by side, ξ = (ξ₁, ξ₂, …): how a bias on "mu2 and mu3" or
/// on "distance and dihedral" sees its CVs as one.
public struct StackedCV: CollectiveVariable, PeriodicComponents {
    public let parts: [any CollectiveVariable]

    public init(_ parts: [any CollectiveVariable]) {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.inputDimension == parts[0].inputDimension },
                     "stacked CVs must take configurations of the same dimension")
        self.parts = parts
    }

    public var inputDimension: Int { parts[0].inputDimension }
    public var outputDimension: Int { parts.reduce(0) { $0 + $1.outputDimension } }
    public var componentNames: [String] { parts.flatMap(\.componentNames) }
    public var periods: [Double?] { parts.flatMap(Self.periods(of:)) }

    /// The period of each component of `cv` (nil for non-periodic ones).
    public static func periods(of cv: any CollectiveVariable) -> [Double?] {
        (cv as? PeriodicComponents)?.periods ?? [Double?](repeating: nil, count: cv.outputDimension)
    }

    public func value(_ x: [Double]) -> [Double] {
        parts.flatMap { $0.value(x) }
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        var out: [Double] = []
        var offset = 0
        for p in parts {
            var j = [Double](repeating: 0, count: p.outputDimension * p.inputDimension)
            out += p.value(x, jacobian: &j)
            for k in j.indices { jacobian[offset + k] = j[k] }
            offset += j.count
        }
        return out
    }
}
