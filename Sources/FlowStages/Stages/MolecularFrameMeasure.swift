import FlowMD

/// The values kept with each frame of a molecular run besides the positions: time, potential
/// energy and its terms, total bias, accumulated work, kinetic temperature, metadynamics c(t)
/// and the biased CVs (`MolecularTrajectoryWriter` turns them into datasets).
struct MolecularFrameMeasure {
    static let scalarNames = ["time", "energy", "bias", "work", "temperature", "bias_offset"]
    /// Energy terms of `EnergyTerms.named` without the total (that is `/energy`).
    static let termNames = parts(EnergyTerms()).map(\.0)

    static func parts(_ e: EnergyTerms) -> [(String, Double)] { e.named.filter { $0.0 != "total" } }

    let cvs: [any CollectiveVariable]
    let cvNames: [String]

    init(biases: MolecularBiases) {
        cvs = biases.cvs
        cvNames = biases.cvNames
    }

    /// Column names of `values`, in order.
    var names: [String] { Self.scalarNames + Self.termNames + cvNames }

    func values(_ s: Simulation) -> [Double] {
        let state = s.state
        let terms = (s.potential as? ForceField)?.energyTerms(state.positions) ?? EnergyTerms()
        let metadynamics = s.biases.lazy.compactMap { $0 as? WellTemperedMetadynamics }.first
        var row = [state.time, state.potentialEnergy, state.biasEnergy, state.work, s.temperature, metadynamics?.offset ?? 0]
        row += Self.parts(terms).map(\.1)
        for cv in cvs { row += cv.value(state.positions) }
        return row
    }
}
