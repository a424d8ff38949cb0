import Foundation
import FlowAnalysis
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: effective-dynamics` — the dynamics a collective variable ξ: ℝᴰ → ℝᵈ (d = 1, 2) induces
/// (Legoll & Lelièvre, Nonlinearity 23, 2131 (2010)), and its rates between states in CV space:
/// dZ = (−M∇F + β⁻¹∇·M) dt + √(2β⁻¹) M^{1/2} dW with generator L f = β⁻¹ e^{βF} ∇·(e^{−βF} M ∇f),
/// F(z) = −β⁻¹ ln ∫ e^{−βV} δ(ξ(x) − z) dx and M(z) = E[∇ξ ∇ξᵀ | ξ(x) = z].
///
/// - ξ is the `cv` input's learned network composed with its feature map (an `orthogonal-cvs`
///   output), or `params.cvs`, built-in CVs in the syntax of metadynamics.
/// - F on the grid: a reweighted histogram or Gaussian kernel density of ξ over `data` (biased
///   samples with `/weights`), or from restrained windows' mean forces ∇F(z) = κ(z − ⟨ξ⟩_z)
///   integrated by least squares (`FreeEnergyEstimation`).
/// - M on the grid: the full d × d tensor from restrained windows at the cell centres
///   (`RestrainedWindows`), started from the data frame nearest each centre, optionally smoothed.
///   Model systems: overdamped dynamics with unit masses, as their brute-force runs: M is
///   ⟨∇ξ∇ξᵀ⟩ in the system's coordinates, so CVs orthonormal in feature space give M ≠ I.
///   Molecules (`charmm`, `MolecularWindows`): the overdamped convention of Brownian dynamics
///   γ m dx = −∇V dt + √(2γ m k_BT) dW at friction γ (`diffusion.friction`), M mass-weighted,
///   M = (418.4/γ)⟨∇ξ diag(m)⁻¹ ∇ξᵀ⟩ in CV²/(ps·kcal/mol), so the rates are those of that
///   Brownian dynamics in 1/ps (the reference butane rates are Brownian at γ = 1/ps; underdamped
///   Langevin rates agree only in the high-friction limit). The windows sample with Langevin
///   BAOAB: ⟨ξ⟩ and M are averages over the restrained Boltzmann distribution, whatever samples it.
///   With constraints (SHAKE/RATTLE on bonds to H) M = (418.4/γ)⟨∇ξ P diag(m)⁻¹ ∇ξᵀ⟩, P the
///   mass-weighted projection onto the tangent space of the constraint manifold (Ciccotti,
///   Lelièvre & Vanden-Eijnden 2008), the diffusion tensor of the constrained Brownian dynamics.
/// - L is discretized by P1 finite elements (`FiniteElementGenerator`: symmetric, detailed
///   balance with e^{−βF}, consistent for anisotropic position-dependent M; SqRA sees only the
///   diagonal of M), cells above the free-energy cut-off removed (the published LJ7 TPT keeps
///   F < 0.75·F_max).
/// - Outputs: eigenvalues λ₁ ≤ λ₂ ≤ … of −L (the trivial 0 left out), committors and TPT rates
///   (k_AB = ν_AB/ρ_A, ν_AB, ρ_A) in the row layout of `transition-rates`, so a report can put
///   them beside the brute-force rates.
///
/// Units: F in the system's energy, rates and eigenvalues in 1/time of the system (1/ps for molecules).
enum EffectiveDynamicsStage: StageKind {
    static let name = "effective-dynamics"
    static let version = 2
    static let summary = "free energy, diffusion tensor, generator eigenvalues and TPT rates of the effective dynamics of a CV"
    static let system = SystemRequirement.required
    static var cpus: Int { ProcessInfo.processInfo.activeProcessorCount }
    static let inputs = [
        InputSpec("data", help: "samples of the system (/x) with /weights when biased (metadynamics)"),
        InputSpec("cv", required: false, help: "learned CVs: an orthogonal-cvs output (network and the feature map it composes); else params.cvs"),
    ]

    enum Output {
        static let grid = OutputDataset.group("/grid",
            "axis0, axis1 (2-D): cell centres along each CV component; attributes periodic, names (the CV components, for figure labels). Fields on the grid have shape nx (1-D) or ny × nx (2-D, values[j, i] at (axis0[i], axis1[j])), then their components, as grid-spectrum's, so report grid figures draw them")
        static let freeEnergy = OutputDataset.float64("/free_energy", "grid", units: "system energy",
            "F per grid cell, minimum 0 over the retained cells (/retained), removed cells shifted alike; NaN where there is no estimate")
        static let diffusion = OutputDataset.float64("/diffusion", "grid × d × d",
            "M = ⟨∇ξ∇ξᵀ⟩ per cell from the restrained windows (after smoothing); NaN where no window ran")
        static let meanForce = OutputDataset.float64("/mean_force", "grid × d", units: "system energy/CV unit",
            when: "free_energy: restrained", "∇F(z) = κ(z − ⟨ξ⟩_z) per window cell; NaN elsewhere")
        static let windowSamples = OutputDataset.int64("/window_samples", "grid", "samples averaged per cell's window (0: no window)")
        static let retained = OutputDataset.int64("/retained", "grid", "1 where the cell is a node of the generator, 0 where it was removed")
        static let eigenvalues = OutputDataset.float64("/eigenvalues", "k", units: "1/time",
            "λ₁ ≤ λ₂ ≤ … > 0 of −L (the trivial 0 left out); attribute trivial_eigenvalue")
        static let eigenfunctions = OutputDataset.float64("/eigenfunctions", "grid × k",
            "eigenfunctions of L per cell, Σ π f² = 1; NaN in removed cells")
        static let committor = OutputDataset.float64("/committor", "grid × pairs", when: "states are given",
            "forward committor q_AB per ordered pair of states (attribute pairs: 'A->B'); NaN in removed cells")
        static let from = TransitionRatesStage.Output.from.documented(when: "states are given", "state A")
        static let to = TransitionRatesStage.Output.to.documented(when: "states are given", "state B of the pair, or 'any' for k_A")
        static let quantity = TransitionRatesStage.Output.quantity.documented(when: "states are given",
            "k_AB = ν_AB/ρ_A; nu_AB, the reactive flux; rho_A, the probability of having last visited A; k_A, the escape rate from A to any other state")
        static let rate = TransitionRatesStage.Output.rate.documented(when: "states are given",
            "the TPT estimate: 1/time for k_AB, nu_AB, k_A; dimensionless for rho_A")
        static let low = TransitionRatesStage.Output.low.documented(when: "states are given", "NaN: a grid estimate has no sampling interval")
        static let high = TransitionRatesStage.Output.high.documented(when: "states are given", "NaN: a grid estimate has no sampling interval")
        static let states = TransitionRatesStage.Output.states.documented(when: "states are given", "state names")
        static let stateCells = OutputDataset.int64("/state_cells", "grid × states", when: "states are given",
            "1 where a cell belongs to the state")
        static let cv = OutputDataset.float64("/cv", "frames × d", "ξ of every data frame (names in attribute 'names')")
        static let sensitivityFraction = TransitionRatesStage.Output.sensitivityFraction.documented(when: "use_core_sets with core states and quench.sensitivity",
            "the core fractions: quench.core_fraction first, then quench.sensitivity")
        static let sensitivityRate = TransitionRatesStage.Output.sensitivityRate.documented(when: "use_core_sets with core states and quench.sensitivity",
            "each /rates row (same order) between the images of each fraction's cores, from the same generator")
    }
    static let outputs = [Output.grid, Output.freeEnergy, Output.diffusion, Output.meanForce, Output.windowSamples, Output.retained,
                          Output.eigenvalues, Output.eigenfunctions, Output.committor, Output.from, Output.to, Output.quantity,
                          Output.rate, Output.low, Output.high, Output.states, Output.stateCells, Output.cv,
                          Output.sensitivityFraction, Output.sensitivityRate]

    enum FreeEnergyRoute: String, ParameterEnum { case histogram, kde, restrained }

    struct Parameters: Decodable {
        var cvs: [CVSpec]
        var grid: CVGridSpec
        var freeEnergy: FreeEnergyRoute
        var bandwidth: [Double]
        var diffusion: WindowSpec
        var cutoff: Double
        var reducedCutoff: Double?
        var states: [CVStateSpec]
        var coreSets: [StateSpec]
        var useCoreSets: Bool
        var quench: QuenchSpec
        var eigenvalues: Int
        var useWeights: Bool

        enum CodingKeys: String, CodingKey {
            case cvs, grid, bandwidth, diffusion, cutoff, states, eigenvalues
            case freeEnergy = "free_energy", reducedCutoff = "reduced_cutoff", useWeights = "use_weights"
            case coreSets = "core_sets", useCoreSets = "use_core_sets", quench
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            cvs = try p(.cvs, literal: [], help: "the CVs, e.g. [mu2, mu3], [x1], [{dihedral: [0, 1, 2, 3]}], [{model: cv}] (default with a cv input: the learned CV)")
            grid = try p.group(.grid, help: "the CV-space grid")
            freeEnergy = try p(.freeEnergy, default: .histogram, help: "F from a reweighted histogram or Gaussian kernel density of ξ over the data, or from the restrained windows' mean forces")
            bandwidth = try p(.bandwidth, default: [], unit: "CV units", help: "kde: kernel width per CV component (default: 1.5 cells)")
            diffusion = try p.group(.diffusion, help: "restrained windows at the cell centres: M(z), and the mean force for free_energy: restrained")
            cutoff = try p(.cutoff, default: 0.75, in: .halfOpen(0, 1), help: "keep cells with F − F_min ≤ cutoff·(F_max − F_min) (the published LJ7 TPT: 0.75)")
            reducedCutoff = try p.optional(.reducedCutoff, in: .positive, help: "also drop cells with β(F − F_min) above this")
            states = try p.list(.states, help: "named states in CV space, for committors and rates")
            useCoreSets = try p(.useCoreSets, default: false, help: "states are the images of core sets in configuration space (core_sets, or the system's default states as transition-rates uses them): a grid cell belongs to a state when more than half of its (weighted) data frames lie in the core set")
            coreSets = try p.list(.coreSets, help: "with use_core_sets: the core sets, in the syntax of transition-rates states (empty: the system's defaults)")
            quench = try p.group(.quench, help: "with use_core_sets: the quench of minimum and basin core sets")
            eigenvalues = try p(.eigenvalues, default: 3, in: .closed(1, 50), help: "non-trivial eigenvalues of −L to compute")
            useWeights = try p(.useWeights, default: true, help: "reweight the data by its /weights (metadynamics) for the free energy")
            try p.check(Set(states.map(\.name)).count == states.count, .states, "state names must be distinct")
            try p.check(states.isEmpty || states.count >= 2, .states, "give at least two states for rates, or none")
            try p.check(!(useCoreSets && !states.isEmpty), .states, "give states in CV space or use_core_sets, not both")
        }
    }

    /// The restrained windows are independent: a part runs a contiguous range of them (each
    /// walker on the random stream of its global index) and the gather step joins their
    /// estimates and computes the rest. How many windows there are (the occupied cells) is known
    /// only at run time, where more shards than windows fail the stage.
    static let shardedItems: String? = "restrained windows (at most as many shards as windows, the occupied cells: checked at run time)"

    static func shardProblem(_ p: Parameters, shards: Int) -> String? { nil }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        func fail(_ message: String) -> FlowError { FlowError.stageFailed(stage: stage, message: message) }
        var molecule: CharmmModel?
        if let definition = context.system, let sp = definition.parameters as? CharmmSystem.Parameters {
            molecule = try CharmmSystem.model(sp, system: definition.name, stage: stage)
        }
        let system = try molecule?.simulationSystem ?? SystemFactory.simulationSystem(for: context.system, stage: stage)
        let cv = try collectiveVariable(p, system: system, context: context)
        let data = try LearningInput("data", of: context, expected: "samples of the system (simulate, load)")
        defer { data.close() }
        let x = try data.matrix(SharedDatasets.x.name)
        guard x.cols == system.potential.dimension else {
            throw fail("input 'data' has \(x.cols) coordinates per frame; the system has \(system.potential.dimension)")
        }
        let weights = p.useWeights ? try data.vector(SharedDatasets.weights.name, count: x.rows) : nil
        let d = cv.outputDimension
        guard d == 1 || d == 2 else { throw fail("the CV has \(d) components; effective dynamics here takes 1 or 2") }
        let values = cvValues(cv, x)
        let axes: [GridAxis]
        do { axes = try p.grid.axes(dimension: d, data: values) } catch { throw fail("params.\(error)") }
        let periods = axes.map { $0.periodic ? $0.upper - $0.lower : nil }
        let cells = axes.reduce(1) { $0 * $1.count }
        let centers = (0..<cells).map { cellCenter($0, axes) }

        var freeEnergy: [Double]
        var meanForce: Matrix?
        var windowCells: [Int]
        switch p.freeEnergy {
        case .histogram, .kde:
            freeEnergy = try estimateFreeEnergy(p, values: values, weights: weights, axes: axes, beta: system.beta)
            let keep = try NodeSelection(maxReducedFreeEnergy: p.reducedCutoff, maxFreeEnergyFraction: p.cutoff)
                .keep(freeEnergy: freeEnergy, beta: system.beta)
            windowCells = (0..<cells).filter { keep[$0] }
        case .restrained:
            let occupied = try FreeEnergyEstimation.histogram(samples: values, weights: nil, axes: axes, beta: system.beta)
            windowCells = (0..<cells).filter { occupied[$0].isFinite }
            freeEnergy = []
        }
        guard windowCells.count > p.eigenvalues else {
            throw fail("only \(windowCells.count) grid cells hold data; widen the grid, use fewer bins or give more data")
        }
        let windows = RestrainedWindows(cv: cv, centers: windowCells.map { centers[$0] }, periods: periods, spec: p.diffusion)
        let estimate: RestrainedWindows.Estimate
        if let parts = context.gatheredParts {
            estimate = try .gathered(parts, windows: windowCells.count, stage: stage)
        } else {
            estimate = try molecule.map { try MolecularWindows(windows: windows, model: $0).run(data: x, values: values, context: context) }
                ?? windows.run(system: system, data: x, values: values, context: context)
            if context.isPart { return try estimate.write(to: context.output.root) }
        }

        var tensors = Matrix(rows: cells, cols: d * d, storage: [Double](repeating: .nan, count: cells * d * d))
        var samples = [Int64](repeating: 0, count: cells)
        for (w, c) in windowCells.enumerated() {
            samples[c] = Int64(estimate.samples[w])
            guard estimate.samples[w] > 0 else { continue }
            for i in 0..<(d * d) { tensors[c, i] = estimate.diffusion[w][i] }
        }
        if p.freeEnergy == .restrained {
            let kappa = p.diffusion.kappa.count == 1 ? [Double](repeating: p.diffusion.kappa[0], count: d) : p.diffusion.kappa
            var force = Matrix(rows: cells, cols: d, storage: [Double](repeating: .nan, count: cells * d))
            for (w, c) in windowCells.enumerated() where estimate.samples[w] > 0 {
                for a in 0..<d {
                    var u = centers[c][a] - estimate.meanValue[w][a]
                    if let period = periods[a] { u -= period * (u / period).rounded() }
                    force[c, a] = kappa[a] * u
                }
            }
            freeEnergy = try FreeEnergyEstimation.integrateMeanForce(force, axes: axes)
            meanForce = force
        }
        var field = try DiffusionTensorField(dimension: d, values: tensors)
        if p.diffusion.smoothing > 0 {
            field = try field.smoothed(on: axes, width: axes.map { $0.spacing * p.diffusion.smoothing })
        }
        // Cells without a diffusion estimate cannot be nodes of the generator.
        for c in 0..<cells where !field.hasTensor(atCell: c) { freeEnergy[c] = .infinity }

        let estimator = EffectiveDynamics(beta: system.beta, eigenpairs: p.eigenvalues,
                                          selection: NodeSelection(maxReducedFreeEnergy: p.reducedCutoff, maxFreeEnergyFraction: p.cutoff,
                                                                   keepComponentOfMinimum: true))
        let model: EffectiveDynamicsModel
        do { model = try estimator.fit(axes: axes, freeEnergy: freeEnergy, diffusion: field, monitor: context.monitor) } catch {
            throw fail("the effective-dynamics generator: \(error)")
        }
        context.log("\(model.nodes.count) of \(cells) cells retained; λ = " + model.eigenvalues.map { String(format: "%.5g", $0) }.joined(separator: ", "))

        let out = context.output.root
        try writeGrid(axes, cv: cv, values: values, to: out)
        // The model's F is shifted to minimum 0 over the retained cells; removed cells with an
        // estimate get the same shift.
        let shift = freeEnergy[model.nodes.cells[0]] - model.freeEnergy[0]
        let layout = GridLayout(axes: axes)
        let f = (0..<cells).map { c -> Double in
            let node = model.nodes.nodeOfCell[c]
            return node >= 0 ? model.freeEnergy[node] : (freeEnergy[c].isFinite ? freeEnergy[c] - shift : .nan)
        }
        try out.write(Output.freeEnergy, values: layout.arranged(f), shape: layout.shape())
        try out.write(Output.diffusion, values: layout.arranged(field.values.storage, components: d * d), shape: layout.shape(d, d))
        if let meanForce { try out.write(Output.meanForce, values: layout.arranged(meanForce.storage, components: d), shape: layout.shape(d)) }
        try out.write(Output.windowSamples, integers: layout.arranged(samples), shape: layout.shape())
        try out.write(Output.retained, integers: layout.arranged((0..<cells).map { model.nodes.nodeOfCell[$0] >= 0 ? 1 : 0 }), shape: layout.shape())
        try out.write(Output.eigenvalues, vector: model.eigenvalues)
        try out.dataset(Output.eigenvalues.name).setAttribute("trivial_eigenvalue", .double(model.trivialEigenvalue))
        let k = model.eigenvalues.count
        try out.write(Output.eigenfunctions, values: layout.arranged(onCells(model.eigenfunctions, model: model, cells: cells).storage, components: k),
                      shape: layout.shape(k))
        if p.useCoreSets {
            let assignment: any StateAssignment
            let variants: [(fraction: Double, assignment: any StateAssignment)]
            do {
                assignment = try StateSpec.assignment(p.coreSets, quench: p.quench, system: system)
                variants = try StateSpec.coreVariants(p.coreSets, quench: p.quench, system: system) ?? []
            } catch {
                throw fail("params.core_sets: \(error)")
            }
            let sets = try coreSetImages(assignment, data: x, values: values, weights: weights, model: model, stage: stage)
            try writeRates(sets, model: model, cells: cells, to: out, stage: stage, context: context)
            if !variants.isEmpty {
                let columns = try variants.map { v -> [Double] in
                    let images = try coreSetImages(v.assignment, data: x, values: values, weights: weights, model: model, stage: stage)
                    do { return try model.rates(between: images).rows.map(\.value) } catch {
                        throw fail("TPT between the states of core fraction \(v.fraction): \(error)")
                    }
                }
                for (v, column) in zip(variants, columns) {
                    context.log(String(format: "core fraction %.3g: k_AB = %.5g, nu_AB = %.5g", v.fraction, column[0], column[1]))
                }
                try TransitionRatesStage.writeSensitivity(fractions: variants.map(\.fraction), columns: columns, to: out)
            }
        } else if !p.states.isEmpty {
            if let other = p.states.first(where: { !$0.cvs.isEmpty && $0.cvs != p.cvs }) {
                throw fail("params.states '\(other.name)' is written in other CVs than the stage's (\(p.cvs.isEmpty ? "the learned CV" : "params.cvs")); for states defined elsewhere use use_core_sets with core_sets")
            }
            let sets = try regionStates(p.states, model: model, system: system, cv: cv, stage: stage)
            try writeRates(sets, model: model, cells: cells, to: out, stage: stage, context: context)
        }
        try out.setAttribute("beta", .double(system.beta))
        try out.setAttribute("cells_retained", .int(Int64(model.nodes.count)))
        try out.setAttribute("diffusion_convention", .string(molecule == nil
            ? "M = <grad xi grad xi^T> in the system's coordinates, unit masses, overdamped dynamics"
            : "M = (418.4/gamma) <grad xi \(molecule?.constraints == nil ? "" : "P ")diag(m)^-1 grad xi^T> in CV^2/(ps kcal/mol): Brownian dynamics at friction gamma = \(p.diffusion.friction)/ps, masses in amu, lengths in Angstrom\(molecule?.constraints == nil ? "" : ", P the mass-weighted projection onto the tangent space of the H-bond constraints")"))
    }

    static func collectiveVariable(_ p: Parameters, system: SimulationSystem, context: StageContext) throws -> any CollectiveVariable {
        var system = system
        try system.addLearnedCVs(["cv"], from: context)
        let specs = context.hasInput("cv") && p.cvs.isEmpty ? [CVSpec.model("cv")] : p.cvs
        do { return try CVSpec.resolve(specs, in: system) } catch {
            throw FlowError.stageFailed(stage: context.stageName, message: "params.cvs: \(error); or connect a learned CV as input 'cv'")
        }
    }

    static func cvValues(_ cv: any CollectiveVariable, _ x: Matrix) -> Matrix {
        let d = cv.outputDimension
        var storage = [Double](repeating: 0, count: x.rows * d)
        storage.withUnsafeMutableBufferPointer { out in
            parallelChunks(x.rows, chunkSize: 512) { range in
                for r in range {
                    let v = cv.value(x.row(r))
                    for c in 0..<d { out[r * d + c] = v[c] }
                }
            }
        }
        return Matrix(rows: x.rows, cols: d, storage: storage)
    }

    static func estimateFreeEnergy(_ p: Parameters, values: Matrix, weights: [Double]?, axes: [GridAxis], beta: Double) throws -> [Double] {
        if p.freeEnergy == .kde {
            let width = p.bandwidth.isEmpty ? axes.map { 1.5 * $0.spacing }
                : (p.bandwidth.count == 1 ? [Double](repeating: p.bandwidth[0], count: axes.count) : p.bandwidth)
            return try FreeEnergyEstimation.kernelDensity(samples: values, weights: weights, axes: axes, bandwidth: width, beta: beta)
        }
        return try FreeEnergyEstimation.histogram(samples: values, weights: weights, axes: axes, beta: beta)
    }

    static func cellCenter(_ cell: Int, _ axes: [GridAxis]) -> [Double] {
        axes.count == 1 ? [axes[0].center(cell)] : [axes[0].center(cell / axes[1].count), axes[1].center(cell % axes[1].count)]
    }

    /// Per-node columns spread onto all cells (NaN in removed ones).
    static func onCells(_ m: Matrix, model: EffectiveDynamicsModel, cells: Int) -> Matrix {
        var out = Matrix(rows: cells, cols: m.cols, storage: [Double](repeating: .nan, count: cells * m.cols))
        for c in 0..<cells {
            let node = model.nodes.nodeOfCell[c]
            if node >= 0 { for j in 0..<m.cols { out[c, j] = m[node, j] } }
        }
        return out
    }

    static func writeGrid(_ axes: [GridAxis], cv: any CollectiveVariable, values: Matrix, to out: HDF5Group) throws {
        let grid = try out.createGroup(Output.grid)
        for (a, axis) in axes.enumerated() {
            try grid.write("axis\(a)", vector: (0..<axis.count).map(axis.center))
        }
        try grid.setAttribute("periodic", .ints(axes.map { $0.periodic ? 1 : 0 }))
        try grid.setAttribute("names", .strings(cv.componentNames))
        try out.write(Output.cv, matrix: values)
        try out.dataset(Output.cv.name).setAttribute("names", .strings(cv.componentNames))
    }

    /// States given as regions of CV space.
    static func regionStates(_ specs: [CVStateSpec], model: EffectiveDynamicsModel, system: SimulationSystem,
                             cv: any CollectiveVariable, stage: String) throws -> [NamedNodeSet] {
        func image(_ name: String) throws -> [Double] {
            guard let x = system.namedConfigurations[name] else {
                throw EffectiveDynamicsSpecError("the system has no minimum '\(name)'\(DidYouMean.hint(for: name, among: system.namedConfigurations.keys.sorted()))")
            }
            return cv.value(x)
        }
        return try specs.map { s in
            do {
                let nodes = try model.nodes(in: try s.region(image: image))
                guard !nodes.isEmpty else { throw EffectiveDynamicsSpecError("holds no retained grid cell; enlarge it or refine the grid") }
                return NamedNodeSet(name: s.name, nodes: nodes)
            } catch {
                throw FlowError.stageFailed(stage: stage, message: "params.states '\(s.name)': \(error)")
            }
        }
    }

    /// The images of configuration-space core sets: the retained cells where more than half of
    /// the data frames' weight lies in the core set. The same core sets as the brute-force
    /// `transition-rates` give both sides of a rate comparison the same states, with nothing to
    /// size in CV space.
    static func coreSetImages(_ assignment: any StateAssignment, data: Matrix, values: Matrix, weights: [Double]?,
                              model: EffectiveDynamicsModel, stage: String) throws -> [NamedNodeSet] {
        let names = assignment.stateNames
        let axes = model.axes
        var inside = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: model.nodes.count)
        var total = [Double](repeating: 0, count: model.nodes.count)
        var labels = [Int](repeating: -1, count: data.rows)
        labels.withUnsafeMutableBufferPointer { out in
            parallelChunks(data.rows, chunkSize: 256) { range in
                for r in range { out[r] = assignment.state(of: data.row(r)) ?? -1 }
            }
        }
        for r in 0..<data.rows {
            guard let cell = cellIndex(values.row(r), axes), case let node = model.nodes.nodeOfCell[cell], node >= 0 else { continue }
            let w = weights?[r] ?? 1
            total[node] += w
            if labels[r] >= 0 { inside[node][labels[r]] += w }
        }
        return try names.enumerated().map { s, name in
            let nodes = (0..<model.nodes.count).filter { total[$0] > 0 && inside[$0][s] > 0.5 * total[$0] }
            guard !nodes.isEmpty else {
                let frames = labels.filter { $0 == s }.count
                throw FlowError.stageFailed(stage: stage, message: "core set '\(name)' holds \(frames) of \(data.rows) data frames, and no retained grid cell has most of its data weight in it; sample the state (longer or higher-bias metadynamics), or use a finer grid")
            }
            return NamedNodeSet(name: name, nodes: nodes)
        }
    }

    /// The grid cell holding a CV value (nil outside a non-periodic axis).
    static func cellIndex(_ z: [Double], _ axes: [GridAxis]) -> Int? {
        var index = 0
        for (a, axis) in axes.enumerated() {
            var u = (z[a] - axis.lower) / axis.spacing
            if axis.periodic { u -= Double(axis.count) * (u / Double(axis.count)).rounded(.down) }
            guard u.isFinite, u >= 0, u <= Double(axis.count) else { return nil }
            index = index * axis.count + min(Int(u), axis.count - 1)
        }
        return index
    }

    static func writeRates(_ sets: [NamedNodeSet], model: EffectiveDynamicsModel, cells: Int, to out: HDF5Group,
                           stage: String, context: StageContext) throws {
        let table: TransitionRateTable
        do { table = try model.rates(between: sets) } catch {
            throw FlowError.stageFailed(stage: stage, message: "TPT between the states: \(error)")
        }
        try out.write(Output.from, strings: table.rows.map(\.from))
        try out.write(Output.to, strings: table.rows.map(\.to))
        try out.write(Output.quantity, strings: table.rows.map(\.quantity.rawValue))
        try out.write(Output.rate, vector: table.rows.map(\.value))
        try out.write(Output.low, vector: table.rows.map { _ in .nan })
        try out.write(Output.high, vector: table.rows.map { _ in .nan })
        try out.write(Output.states, strings: sets.map(\.name))
        var membership = [Int64](repeating: 0, count: sets.count * cells)
        for (i, s) in sets.enumerated() { for node in s.nodes { membership[i * cells + model.nodes.cells[node]] = 1 } }
        let layout = GridLayout(axes: model.axes)
        try out.write(Output.stateCells, integers: layout.arranged(transposed(membership, rows: sets.count, cols: cells), components: sets.count),
                      shape: layout.shape(sets.count))
        var q = [Double](repeating: .nan, count: table.committors.count * cells)
        for (i, c) in table.committors.enumerated() {
            for (node, v) in c.values.enumerated() { q[i * cells + model.nodes.cells[node]] = v }
        }
        try out.write(Output.committor, values: layout.arranged(transposed(q, rows: table.committors.count, cols: cells), components: table.committors.count),
                      shape: layout.shape(table.committors.count))
        try out.dataset(Output.committor.name).setAttribute("pairs", .strings(table.committors.map { "\($0.from)->\($0.to)" }))
        for row in table.rows where row.quantity.rawValue == "k_AB" || row.quantity.rawValue == "nu_AB" {
            context.log("\(row.quantity.rawValue) \(row.from)→\(row.to) = \(String(format: "%.5g", row.value))")
        }
    }
}

/// Fields on the CV grid as files store them: the generator numbers cells with axis 0 slowest
/// (cell = i₀·n₁ + i₁); outputs put axis 1 slowest (values[j, i] at (axis0[i], axis1[j]), as
/// `grid-spectrum` and the report's grid figures read them), each cell's components contiguous.
struct GridLayout {
    let counts: [Int]

    init(axes: [GridAxis]) { counts = axes.map(\.count) }

    /// The dataset shape: [nx] or [ny, nx], then `components`.
    func shape(_ components: Int...) -> [Int] {
        (counts.count == 2 ? [counts[1], counts[0]] : [counts[0]]) + components
    }

    func arranged<T>(_ perCell: [T], components: Int = 1) -> [T] {
        guard counts.count == 2 else { return perCell }
        let (n0, n1) = (counts[0], counts[1])
        var out = perCell
        for i0 in 0..<n0 {
            for i1 in 0..<n1 {
                for c in 0..<components { out[(i1 * n0 + i0) * components + c] = perCell[(i0 * n1 + i1) * components + c] }
            }
        }
        return out
    }
}

/// rows × cols row-major → cols × rows.
func transposed<T>(_ values: [T], rows: Int, cols: Int) -> [T] {
    (0..<(rows * cols)).map { values[($0 % rows) * cols + $0 / rows] }
}
