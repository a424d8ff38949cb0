import Foundation
import FlowCore
import FlowHDF5
import FlowMD
import FlowNN

/// Why a stored network cannot be rebuilt as a collective variable.
struct NetworkCVError: Error, CustomStringConvertible {
    let description: String
}

extension NetworkCV {
    /// The CVs of an `orthogonal-cvs` output: its `/network`, composed with the feature map
    /// recorded in the network's `feature_kind`/`feature_parameters` attributes (the `features`
    /// stage the data came from). `layout` says how configurations store particles when the
    /// feature map did not set its own `layout`.
    static func load(from root: HDF5Group, layout: ParticleLayout?, named: [String: [Double]] = [:]) throws -> NetworkCV {
        guard root.contains(SharedDatasets.network), root.isGroup(SharedDatasets.network.name) else {
            throw NetworkCVError(description: "no /network group; give an orthogonal-cvs output")
        }
        let group = try root.group(SharedDatasets.network.name)
        let network = try MLP.load(from: group)
        guard case .string(let kind)? = try group.attribute("feature_kind"), kind == FeaturesStage.name,
              case .string(let json)? = try group.attribute("feature_parameters") else {
            return NetworkCV(network: network, features: nil)
        }
        let features = try featureMap(json, layout: layout, named: named)
        guard features.outputDimension == network.inputDimension else {
            throw NetworkCVError(description: "the recorded feature map gives \(features.outputDimension) features; the network takes \(network.inputDimension)")
        }
        return NetworkCV(network: network, features: features)
    }

    /// The `features` stage's map, rebuilt from its resolved parameters (JSON). Steps that move
    /// particles have a Jacobian in one form: `select` (optional), then `align` onto a named
    /// configuration of the system (`named`), then `positions` — the aligned positions
    /// (`AlignedPositions`), e.g. butane's four carbons.
    static func featureMap(_ json: String, layout: ParticleLayout?, named: [String: [Double]] = [:]) throws -> any CollectiveVariable {
        let p = try JSONDecoder().decode(FeaturesStage.Parameters.self, from: Data(json.utf8))
        let resolved = p.layout.map {
            ParticleLayout(particles: $0.particles, spatialDimension: $0.dimension, order: $0.order == .interleaved ? .interleaved : .coordinateMajor)
        } ?? layout
        guard let resolved else {
            throw NetworkCVError(description: "the feature map needs the particle layout of the configurations; give a particle system")
        }
        let steps = p.map.map { [FeatureStep(feature: $0)] } ?? p.chain
        if let aligned = try alignedPositions(steps, layout: resolved, named: named) { return aligned }
        let parts = try steps.enumerated().map { i, step -> any CollectiveVariable in
            guard let cv = step.collectiveVariable(layout: resolved) else {
                throw NetworkCVError(description: "feature step \(i + 1) selects, centres or aligns particles, which has no Jacobian here; learn the CVs on features without those steps")
            }
            return cv
        }
        return parts.count == 1 ? parts[0] : StackedCV(parts)
    }

    /// `[select: S]?, align: NAME, positions` as one differentiable map; nil for chains that do
    /// not move particles.
    static func alignedPositions(_ steps: [FeatureStep], layout: ParticleLayout, named: [String: [Double]]) throws -> (any CollectiveVariable)? {
        guard steps.contains(where: { $0.collectiveVariable(layout: layout) == nil }) else { return nil }
        let supported = "a chain that moves particles is rebuilt with its Jacobian only as [select (optional), align onto a named configuration, positions]"
        var rest = steps[...]
        let selection = rest.first?.select ?? Array(0..<layout.particles)
        if rest.first?.select != nil { rest = rest.dropFirst() }
        guard rest.count == 2, let name = rest.first?.align, rest.last?.positions == true, layout.spatialDimension == 3 else {
            throw NetworkCVError(description: supported)
        }
        guard name != "first", let x = named[name] else {
            throw NetworkCVError(description: "\(supported); the reference '\(name)' is not a named configuration of the system (align onto one, e.g. structure, not first)")
        }
        return AlignedPositions(selection, reference: selection.map { layout.position($0, in: x) }, layout: layout)
    }
}

extension SimulationSystem {
    /// Loads the learned CVs connected to the stage under `inputs` (when connected) as named CVs,
    /// so that `{model: NAME}` resolves to them.
    mutating func addLearnedCVs(_ inputs: [String], from context: StageContext) throws {
        for name in inputs where context.hasInput(name) {
            let f = try context.input(name)
            defer { try? f.close() }
            do { namedCVs[name] = try NetworkCV.load(from: f.root, layout: layout, named: namedConfigurations) } catch {
                throw FlowError.stageFailed(stage: context.stageName, message: "input '\(name)': \(error)")
            }
        }
    }
}
