import Foundation
import FlowCore
import FlowMD

/// Applies a chain of `FeatureStep`s to configurations of particles.
struct FeaturePipeline {
    let steps: [FeatureStep]
    let layout: ParticleLayout
    /// Reference rows for each `align` step (after the steps before it), by step index.
    var references: [Int: [[Double]]] = [:]

    init(steps: [FeatureStep], layout: ParticleLayout) throws {
        self.steps = steps
        self.layout = layout
        for (i, s) in steps.enumerated() {
            if let sel = s.select, sel.isEmpty || !sel.allSatisfy({ (0..<layout.particles).contains($0) }) {
                throw CVSpecError("chain[\(i)].select: indices must be in 0..<\(layout.particles)")
            }
            if let d = s.dihedrals, layout.spatialDimension != 3 || d.quadruples.joined().contains(where: { $0 < 0 }) {
                throw CVSpecError("chain[\(i)].dihedrals: needs 3D particles and valid indices")
            }
        }
    }

    /// Fixes the references of `align` steps: frame `first` or a named configuration.
    mutating func prepare(first: [Double], named: [String: [Double]]) throws {
        for (i, s) in steps.enumerated() {
            guard let ref = s.align else { continue }
            let source: [Double]
            if ref == "first" {
                source = first
            } else if let x = named[ref] {
                source = x
            } else {
                throw CVSpecError("chain[\(i)].align: unknown reference '\(ref)'\(DidYouMean.hint(for: ref, among: Array(named.keys))); use first or one of: \(named.keys.sorted().joined(separator: ", "))")
            }
            references[i] = RigidAlignment.centered(apply(Array(steps[..<i]), to: layout.positions(source)).rows)
        }
    }

    /// Features of one configuration and their names.
    func features(_ x: [Double]) -> (values: [Double], names: [String]) {
        let out = apply(steps, to: layout.positions(x))
        if out.values.isEmpty {
            let l = ParticleLayout(particles: out.rows.count, spatialDimension: layout.spatialDimension, order: layout.order)
            return (l.flatten(out.rows), (0..<l.dimension).map { "coord\($0 + 1)" })
        }
        return (out.values, out.names)
    }

    /// Runs `chain` on particle rows: the transformed rows and the features collected on the way.
    func apply(_ chain: [FeatureStep], to start: [[Double]]) -> (rows: [[Double]], values: [Double], names: [String]) {
        var rows = start
        var values: [Double] = [], names: [String] = []
        for (i, s) in chain.enumerated() {
            let l = ParticleLayout(particles: rows.count, spatialDimension: layout.spatialDimension, order: .interleaved)
            let x = l.flatten(rows)
            if let sel = s.select { rows = sel.map { rows[$0] } }
            if s.center == true { rows = RigidAlignment.centered(rows) }
            if s.align != nil, let ref = references[i] { rows = RigidAlignment.align(RigidAlignment.centered(rows), onto: ref) }
            let cv = s.collectiveVariable(layout: l)
            if let cv {
                values += cv.value(x)
                names += cv.componentNames
            }
        }
        return (rows, values, names)
    }
}
