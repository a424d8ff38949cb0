import FlowCore
import FlowMD

/// A system kind that can be turned into a `SimulationSystem` (potential + β + named states).
protocol SimulationSystemBuilder: SystemKind {
    static func build(_ parameters: Parameters) throws -> SimulationSystem
}

/// Builds the `SimulationSystem` of a stage's `system:`.
enum SystemFactory {
    static let builders: [String: (Any) throws -> SimulationSystem?] = [
        MuellerBrownSystem.name: { ($0 as? MuellerBrownSystem.Parameters).map(MuellerBrownSystem.build) },
        LennardJones7System.name: { ($0 as? LennardJones7System.Parameters).map(LennardJones7System.build) },
        HarmonicSystem.name: { ($0 as? HarmonicSystem.Parameters).map(HarmonicSystem.build) },
        DoubleWellSystem.name: { ($0 as? DoubleWellSystem.Parameters).map(DoubleWellSystem.build) },
    ]

    static func simulationSystem(for definition: SystemDefinition?, stage: String) throws -> SimulationSystem {
        guard let definition else {
            throw FlowError.stageFailed(stage: stage, message: "this stage needs system: naming an entry of systems:")
        }
        guard let build = builders[definition.kind], let system = try build(definition.parameters) else {
            throw FlowError.stageFailed(stage: stage, message: "system '\(definition.name)' (kind \(definition.kind)) cannot be simulated by this stage")
        }
        return system
    }
}
