import Foundation
import FlowMD

extension FeatureStep {
    /// The features this step appends, as a collective variable of configurations stored in
    /// `layout` (so that the same map serves the `features` stage and, with its Jacobian, a
    /// trained network composed with it); nil for steps that move particles (select, center,
    /// align).
    func collectiveVariable(layout: ParticleLayout) -> (any CollectiveVariable)? {
        if positions == true { return ParticlePositions(Array(0..<layout.particles), layout: layout) }
        if let d = distances { return PairwiseDistances(layout: layout, squared: d.squared, sorted: d.sorted) }
        if let c = coordination {
            return c.sorted ? SortedCoordinationNumbers(layout: layout, cutoff: c.cutoff) : CoordinationNumbers(layout: layout, cutoff: c.cutoff)
        }
        if let m = moments { return CoordinationMoments(layout: layout, cutoff: m.cutoff, orders: m.orders) }
        if let d = dihedrals {
            return StackedCV(d.quadruples.map { q -> any CollectiveVariable in
                let phi = ParticleDihedral(q[0], q[1], q[2], q[3], layout: layout)
                return d.form == .angle ? phi : AngleCosSin(phi)
            })
        }
        return nil
    }
}

/// (cos φ, sin φ) of a one-component angle CV φ: continuous across ±π, with Jacobian rows
/// −sin φ ∇φ and cos φ ∇φ.
struct AngleCosSin: CollectiveVariable {
    let angle: any CollectiveVariable

    init(_ angle: any CollectiveVariable) {
        precondition(angle.outputDimension == 1, "cos/sin of a one-component angle")
        self.angle = angle
    }

    var inputDimension: Int { angle.inputDimension }
    var outputDimension: Int { 2 }
    var componentNames: [String] { ["cos_" + angle.componentNames[0], "sin_" + angle.componentNames[0]] }

    func value(_ x: [Double]) -> [Double] {
        let phi = angle.value(x)[0]
        return [cos(phi), sin(phi)]
    }

    func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let n = inputDimension
        var g = [Double](repeating: 0, count: n)
        let phi = angle.value(x, jacobian: &g)[0]
        let c = cos(phi), s = sin(phi)
        for k in 0..<n {
            jacobian[k] = -s * g[k]
            jacobian[n + k] = c * g[k]
        }
        return [c, s]
    }
}
