import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// The output of `simulate` on a `charmm` system. R replicas × F frames each, replica-major
/// (rows r·F … r·F + F − 1 belong to replica r), float64 unless stated:
///
/// - `/x` (R·F × 3N, Å), `/time` (ps since production start), `/replica` (int64)
/// - `/energy` (total potential, kcal/mol), `/energy_terms` (R·F × 10, kcal/mol; column names in
///   its `names` attribute: bond … coulomb_14, as `flow energy` prints them; `lennard_jones` and
///   `coulomb` include their 1-4 parts)
/// - `/bias` (total bias energy), `/temperature` (kinetic, K; 0 for Brownian dynamics)
/// - `/weights` (reweighting weights, mean 1; all 1 for time-dependent biases), `/work`
///   (kcal/mol, when a bias moves), `/bias_offset` (metadynamics c(t))
/// - `/cv` (R·F × C, the biased CVs; `names` attribute, e.g. `steered:distance`)
/// - `/topology` (`Topology.write(to:)`), `/hills` + `/hill_replica` + `/bias_grid/*`
///   (metadynamics, one independent bias per replica: `values` is R × bins)
/// - `/summary/*` for pulling runs (steered or tethered), per frame time over replicas:
///   `time`, `distance_mean`, `distance_std`, `work_mean`, `work_std`, `jarzynski`
///   (−β⁻¹ ln⟨e^{−βW}⟩, Jarzynski's free-energy estimate along the pull) and, for steered MD,
///   `center` (the spring centre z(t)).
struct MolecularTrajectoryWriter {
    typealias Output = SimulateStage.Output

    let frames: ReplicaFrames
    /// The replicas' simulations, for their metadynamics biases (nil when gathered from parts:
    /// metadynamics does not run in shards).
    let set: ReplicaSet?
    let model: CharmmModel
    let biases: MolecularBiases
    let measure: MolecularFrameMeasure
    let parameters: SimulateStage.Parameters
    let context: StageContext

    func write() throws {
        let out = context.output.root
        let replicas = self.frames.replicas, frames = self.frames.framesPerReplica, rows = replicas * frames
        let d = self.frames.dimension
        let x = self.frames.positions
        let names = measure.names
        let values = self.frames.values
        func column(_ name: String) -> [Double] {
            let c = names.firstIndex(of: name)!
            return Swift.stride(from: c, to: values.count, by: names.count).map { values[$0] }
        }
        func columns(_ wanted: [String]) -> [Double] {
            let idx = wanted.map { names.firstIndex(of: $0)! }
            return (0..<rows).flatMap { r in idx.map { values[r * names.count + $0] } }
        }
        try out.write(Output.x, matrix: Matrix(rows: rows, cols: d, storage: x), units: "Å")
        let time = column("time")
        try out.write(Output.time, vector: time, units: "ps")
        try out.write(Output.replica, integers: (0..<rows).map { Int64($0 / max(frames, 1)) })
        try out.write(Output.energy, vector: column("energy"), units: "kcal/mol")
        try out.write(Output.energyTerms, matrix: Matrix(rows: rows, cols: MolecularFrameMeasure.termNames.count,
                                                     storage: columns(MolecularFrameMeasure.termNames)))
        try out.dataset(Output.energyTerms.name).setAttribute("names", .strings(MolecularFrameMeasure.termNames))
        let bias = column("bias")
        try out.write(Output.bias, vector: bias, units: "kcal/mol")
        try out.write(Output.temperature, vector: column("temperature"))
        let work = column("work")
        if biases.moves {
            try out.write(Output.work, vector: work, units: "kcal/mol")
            context.log("moving bias: /weights are 1 (non-equilibrium run); see /work")
        }
        let offset = column("bias_offset")
        if biases.metadynamics != nil { try out.write(Output.biasOffset, vector: offset, units: "kcal/mol") }
        let weights = biases.moves ? [Double](repeating: 1, count: rows) : ReweightingWeights.weights(beta: model.beta, bias: bias, offset: offset)
        guard weights.allSatisfy({ $0.isFinite }) else {
            throw FlowError.stageFailed(stage: context.stageName, message: "the reweighting weights overflowed; lower the metadynamics height or raise bias_temperature")
        }
        try out.write(Output.weights, vector: weights)
        if !measure.cvNames.isEmpty {
            try out.write(Output.cv, matrix: Matrix(rows: rows, cols: measure.cvNames.count, storage: columns(measure.cvNames)))
            try out.dataset(Output.cv.name).setAttribute("names", .strings(measure.cvNames))
        }
        try model.topology.write(to: try out.createGroup(Output.topology))
        try writeMetadynamics(out)
        if biases.steered != nil || biases.tethered != nil {
            try writeSummary(out.createGroup(Output.summary), time: Array(time.prefix(frames)), distance: column(measure.cvNames[0]), work: work,
                             replicas: replicas, frames: frames)
        }
        try out.setAttribute("temperature", .double(model.temperature))
        try out.setAttribute("beta", .double(model.beta))
        try out.setAttribute("dt", .double(parameters.dynamics.dt))
        try out.setAttribute("stride", .int(Int64(parameters.stride)))
        try out.setAttribute("replicas", .int(Int64(replicas)))
        try out.setAttribute("units", .string("length Å, time ps, energy kcal/mol, mass amu, temperature K"))
        let temperatures = column("temperature")
        if !temperatures.isEmpty {
            context.log(String(format: "mean kinetic temperature %.1f K over %d frames", temperatures.reduce(0, +) / Double(rows), rows))
        }
    }

    /// Hills and final grid of each replica's own metadynamics bias.
    func writeMetadynamics(_ out: HDF5Group) throws {
        guard let set else { return }
        let all = (0..<set.replicaCount).compactMap { r in
            set.simulation(r).biases.lazy.compactMap { $0 as? WellTemperedMetadynamics }.first.map { (r, $0) }
        }
        guard let first = all.first?.1 else { return }
        let rank = first.grid.rank
        let hills = all.flatMap { $0.1.hills }
        try out.write(Output.hills, values: hills.flatMap { [$0.time, $0.height] + $0.center }, shape: [hills.count, 2 + rank])
        try out.dataset(Output.hills.name).setAttribute("columns", .strings(["time", "height"] + first.cv.componentNames))
        let owners = all.flatMap { r, m in m.hills.map { _ in Int64(r) } }
        try out.write(Output.hillReplica, integers: owners)
        try out.write("bias_grid/values", all.flatMap { $0.1.grid.values }, shape: [all.count] + first.grid.points)
        for a in 0..<rank {
            try out.write("bias_grid/axis\(a)", (0..<first.grid.points[a]).map { first.grid.node($0, axis: a) }, shape: [first.grid.points[a]])
        }
        try out.group("bias_grid").setAttribute("cvs", .strings(first.cv.componentNames))
        try out.setAttribute("bias_factor", .double(first.biasFactor))
    }

    /// Mean and spread over replicas of the pulled distance and the work, frame by frame, and
    /// Jarzynski's estimate −β⁻¹ ln⟨e^{−βW}⟩ (log-sum-exp, so that no exponential overflows).
    func writeSummary(_ g: HDF5Group, time: [Double], distance: [Double], work: [Double], replicas: Int, frames: Int) throws {
        func stats(_ v: [Double], _ f: Int) -> (mean: Double, std: Double) {
            let s = (0..<replicas).map { v[$0 * frames + f] }
            let mean = s.reduce(0, +) / Double(replicas)
            let variance = s.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(replicas - 1, 1))
            return (mean, variance.squareRoot())
        }
        let d = (0..<frames).map { stats(distance, $0) }
        let w = (0..<frames).map { stats(work, $0) }
        let beta = model.beta
        let jarzynski = (0..<frames).map { f -> Double in
            let e = (0..<replicas).map { -beta * work[$0 * frames + f] }
            let top = e.max() ?? 0
            return -(top + log(e.reduce(0) { $0 + exp($1 - top) } / Double(replicas))) / beta
        }
        try g.write("time", vector: time, units: "ps")
        try g.write("distance_mean", vector: d.map(\.mean), units: "Å", description: "pulled distance, mean over replicas")
        try g.write("distance_std", vector: d.map(\.std), units: "Å", description: "pulled distance, standard deviation over replicas")
        try g.write("work_mean", vector: w.map(\.mean), units: "kcal/mol")
        try g.write("work_std", vector: w.map(\.std), units: "kcal/mol")
        try g.write("jarzynski", vector: jarzynski, units: "kcal/mol", description: "−β⁻¹ ln⟨e^{−βW}⟩ over replicas (Jarzynski 1997)")
        if let s = biases.steered {
            try g.write("center", vector: time.map { s.from + s.velocity * $0 }, units: "Å", description: "steered spring centre z(t)")
        }
    }
}
