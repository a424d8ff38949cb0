import Foundation
import FlowCore
import FlowHDF5
import FlowAnalysis
import FlowLinalg
import FlowMD

/// `kind: diffusion-map` — the target-measure diffusion map (TMDmap; Banisch, Trstanova,
/// Bittracher, Klus & Koltai 2020) or the α-normalized map (Coifman & Lafon 2006) of the input's
/// samples (DESIGN §6), computed by `DiffusionMap.fit`.
///
/// Kernel convention: k_ε(x, y) = exp(−‖x − y‖²/(4ε ρ(x)ρ(y))) (pydiffmap's; the Cameron-group
/// codes use exp(−‖x − y‖²/ε), i.e. their ε is 4× ours), with a variable bandwidth ρ of median 1
/// by default (Berry & Harlim 2016; ρ ∝ q^{max(−1/2, −1/d)}, `BandwidthFunction.exponent`; ρ ≡ 1
/// with `bandwidth: fixed`). The density estimate in the right weights uses Σ_j K_ij floored at
/// ½ or half its median (`DiffusionMap.kernelMassFloor`), so barely reached tail samples do not
/// become sinks. `epsilon: auto` places the `neighbors`-th neighbour of the median sample where
/// cutting the Gaussian changes L_ε by `reach_tolerance` (`DiffusionKernel.reach`), so the stored
/// k-nearest-neighbour graph resolves the kernel. The intrinsic dimension (needed by the variable-bandwidth weights) is the
/// Levina–Bickel nearest-neighbour estimate, rounded; the Berry–Giannakis–Harlim slope estimate
/// is reported alongside (attributes intrinsic_dimension, bgh_dimension, dimension).
///
/// TMDmap targets π: `system` (π ∝ e^{−βV(x)}, /x must be the system's coordinates), `energy`
/// (π ∝ e^{−βE} from the input's /energy, e.g. a simulate output), or `weights` (π = sampling
/// density × the input's reweighting /weights, for biased runs or for features of configurations).
/// For π ∝ e^{−βV} the map's operator tends to β(β⁻¹Δ − ∇V·∇), and /generator_eigenvalues report
/// λ > 0 with L f = −λ f for the Langevin generator L = β⁻¹Δ − ∇V·∇ (the sign convention of
/// `grid-spectrum` and `eigenfunctions`).
///
/// `subsample: {method: delta-net}` fits the map on a greedy δ-net of the samples (`DeltaNet`; the
/// Cameron group's practice on trajectory data, Yuan, Sule, Lam & Cameron 2025): correlated frames
/// crowd the wells, one representative per δ-ball keeps the geometry at a fraction of the cost.
/// The target stays the full sample's: π from the system or /energy is read at the
/// representatives; for `target: weights` each representative carries the reweighting mass of the
/// samples it covers (π ∝ q_net × mass, `DeltaNet.TargetEstimate`). The rows of /eigenvectors are
/// the representatives (/source_index names them, /mass their mass); /frames holds the Nyström
/// extension to every sample and which representative covers it.
enum DiffusionMapStage: StageKind {
    static let name = "diffusion-map"
    static let version = 4
    static let summary = "TMDmap / α-normalized diffusion map: eigenvectors, eigenvalues, generator eigenvalues (kernel exp(−d²/4ε))"
    static let system = SystemRequirement.optional
    static let cpus = 2
    static let inputs = [InputSpec("data", help: "samples: /x (n × D), optional /weights (reweighting), /energy, /source_index")]
    enum LocalizedModes: String, ParameterEnum { case refuse, keep, exclude }

    enum Output {
        static let eigenvectors = OutputDataset.float64("/eigenvectors", "n × components",
            "non-trivial eigenvectors φ₁…, slowest first, trivial φ₀ = 1 dropped; Σ m φ² = 1 with m = /stationary, largest-magnitude entry positive")
        static let eigenvalues = OutputDataset.float64("/eigenvalues", "components",
            "1 + εν for the eigenvalues ν of L_ε (the Markov eigenvalues of P for a fixed bandwidth), descending")
        static let generatorEigenvalues = OutputDataset.float64("/generator_eigenvalues", "components", units: "1/time",
            "λ = −ν/β > 0 with L f = −λ f; for TMDmap with π ∝ e^{−βV}, estimates of the Langevin generator β⁻¹Δ − ∇V·∇")
        static let epsilon = OutputDataset.float64("/epsilon", "1", units: "length²",
            "ε of the kernel exp(−d²/(4ερ_iρ_j)) (attribute convention)")
        static let density = OutputDataset.float64("/density", "n", "leave-one-out kernel estimate of the sampling density")
        static let stationary = OutputDataset.float64("/stationary", "n",
            "the measure m (sums to 1) the eigenvectors are orthonormal in; estimates π on the samples for TMDmap")
        static let bandwidth = OutputDataset.float64("/bandwidth", "n", "ρ at each sample (1 for bandwidth: fixed)")
        static let sourceIndex = SharedDatasets.sourceIndex.documented(shape: "n", "the input's /source_index (or row) of each row, so later stages can align rows")
        static let x = SharedDatasets.x.documented(shape: "n × D", "the samples the map was computed on (all of the input's /x, or the max_samples subset)")
        static let modes = OutputDataset.float64("/modes", "components × 4",
            "per eigenvector: participation ratio 1/Σmφ⁴, effective samples, target mass and sample count of the support holding 90 % of its weight (attribute columns; centroid and extent per mode as attributes)")
        static let excludedModes = OutputDataset.float64("/excluded_modes", "excluded × 6", when: "localized_modes: exclude excluded a mode",
            "per excluded eigenvector slower than the last kept one: its 1-based rank, λ (as /generator_eigenvalues), and the /modes columns (centroids as an attribute)")
        static let mass = OutputDataset.float64("/mass", "n", when: "subsample: delta-net",
            "the normalized reweighting mass (Σ /weights, or the count) of the samples each representative covers")
        static let logTarget = OutputDataset.float64("/log_target", "n", when: "method: tmd",
            "the TMDmap target the map was fitted with, per row (attribute form: measure, log π up to a constant; or reweighted, log w with π = q·w), so a later operator (the diffusion-net eigen-constraint) rebuilds exactly this one")
        static let frameEigenvectors = OutputDataset.float64("/frames/eigenvectors", "N × components", when: "subsample: delta-net",
            "the eigenvectors extended to every sample the net was drawn from (Nyström, `DiffusionMapModel.extend`), rows matched by /frames/source_index")
        static let frameRepresentative = OutputDataset.int64("/frames/representative", "N", when: "subsample: delta-net",
            "for every sample, the row of /eigenvectors (the representative) whose δ-ball covers it")
        static let frameSourceIndex = OutputDataset.int64("/frames/source_index", "N", when: "subsample: delta-net",
            "the input's /source_index (or row) of every sample the net was drawn from")
    }
    static let outputs = [Output.eigenvectors, Output.eigenvalues, Output.generatorEigenvalues, Output.epsilon, Output.density,
                          Output.stationary, Output.bandwidth, Output.sourceIndex, Output.x, Output.modes,
                          Output.excludedModes, Output.mass, Output.logTarget, Output.frameEigenvectors, Output.frameRepresentative, Output.frameSourceIndex]

    enum Method: String, ParameterEnum { case tmd, vanilla }
    enum Target: String, ParameterEnum { case system, energy, weights }
    enum Kernel: String, ParameterEnum {
        case auto, dense, knn

        var storage: DiffusionMap.KernelStorage {
            switch self {
            case .auto: return .automatic
            case .dense: return .dense
            case .knn: return .nearestNeighbors
            }
        }
    }
    enum Profile: String, ParameterEnum { case variable, fixed }

    struct Parameters: Decodable {
        var method: Method
        var alpha: Double
        var target: Target
        var beta: Double?
        var components: Int
        var kernel: Kernel
        var denseLimit: Int
        var neighbors: Int
        var epsilon: EpsilonSetting
        var bandwidth: Profile
        var bandwidthNeighbors: Int
        var reachTolerance: Double
        var dimension: Int?
        var maxSamples: Int?
        var solver: DiffusionMapSolver
        var localizedModes: LocalizedModes
        var subsample: DiffusionMapSubsample

        enum CodingKeys: String, CodingKey {
            case method, alpha, target, beta, components, kernel, neighbors, epsilon, bandwidth, dimension, solver, subsample
            case denseLimit = "dense_limit"
            case bandwidthNeighbors = "bandwidth_neighbors"
            case reachTolerance = "reach_tolerance"
            case localizedModes = "localized_modes"
            case maxSamples = "max_samples"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            method = try p(.method, default: .tmd, help: "tmd: target-measure map (α = 1 built in); vanilla: α-normalized map")
            alpha = try p(.alpha, default: 1.0, in: .closed(0, 1),
                          help: "vanilla only: α (0 graph Laplacian, 0.5 Fokker–Planck, 1 Laplace–Beltrami)")
            target = try p(.target, default: .system,
                           help: "tmd only: π ∝ e^{−βV} from the system at /x (system), from the input's /energy (energy), or sampling density × the input's /weights (weights)")
            beta = try p.optional(.beta, unit: "1/energy", in: .positive,
                                  help: "β of the target and of the generator scaling (default: the system's; 1 for vanilla without a system)")
            components = try p(.components, default: 3, in: .atLeast(1), help: "non-trivial eigenvectors kept")
            kernel = try p(.kernel, default: .auto, help: "dense, knn (union-symmetrized k-nearest-neighbour graph) or auto (dense up to dense_limit samples)")
            denseLimit = try p(.denseLimit, default: 2000, in: .atLeast(2), help: "largest sample count for the dense kernel with kernel: auto")
            neighbors = try p(.neighbors, default: 64, in: .atLeast(2), help: "k: neighbours stored per sample (knn) and the reach epsilon: auto is tied to")
            epsilon = try p(.epsilon, literal: "auto", unit: "length²",
                            help: "ε of exp(−d²/(4ερ_iρ_j)): auto (k-th neighbour at the kernel's reach) or a number")
            bandwidth = try p(.bandwidth, default: .variable,
                              help: "variable: ρ ∝ q^{−1/2} up to 2 intrinsic dimensions, ∝ the local sample spacing q^{−1/d} above (Berry & Harlim 2016), keeps sparse tails connected; fixed: ρ ≡ 1")
            bandwidthNeighbors = try p(.bandwidthNeighbors, default: 8, in: .atLeast(1), help: "neighbours of the variable bandwidth's estimate")
            reachTolerance = try p(.reachTolerance, default: 0.01, in: .halfOpen(0, 0.5),
                                   help: "epsilon: auto: relative error of L_ε allowed from cutting the kernel at the k-th neighbour")
            dimension = try p.optional(.dimension, in: .atLeast(1), help: "manifold dimension for the variable-bandwidth weights (default: the nearest-neighbour likelihood estimate, rounded; with a δ-net, estimated on all samples, since the net's packed points inflate it)")
            maxSamples = try p.optional(.maxSamples, in: .atLeast(3), help: "use a seeded random subset of at most this many samples")
            solver = try p.group(.solver, help: "the sparse eigensolver and its settings")
            localizedModes = try p(.localizedModes, default: .refuse, help: "refuse: fail, naming the mode, when an eigenvector lives on a handful of isolated samples; keep: keep it (/modes says where every mode lives); exclude: compute 4 spare pairs, keep the slowest components that are not isolated, and record the excluded ones (/excluded_modes)")
            subsample = try p.group(.subsample, help: "the map on a δ-net of the samples (after max_samples), extended to every sample")
            try p.check(subsample.method == .none || method == .tmd || alpha == 1, .subsample,
                        "a δ-net changes the sampling density, which the α-normalized map depends on unless alpha is 1; use method: tmd or alpha: 1")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        func fail(_ m: String) -> FlowError { .stageFailed(stage: stage, message: m) }
        let input = try LearningInput("data", of: context, expected: "samples (simulate, features, load)")
        defer { input.close() }
        let all = try input.matrix(SharedDatasets.x.name)
        var rows = Array(0..<all.rows)
        if let m = p.maxSamples, all.rows > m {
            var rng = context.random("subsample")
            rows = Array(rng.permutation(all.rows).prefix(m)).sorted()
            context.log("using \(m) of \(all.rows) samples (seeded random subset)")
        }
        let samples = rows.count == all.rows ? all : all.rows(rows)
        let system = try context.system.map { try SystemFactory.simulationSystem(for: $0, stage: stage) }
        let beta = p.beta ?? system?.beta
        var method: DiffusionMap.Method
        switch p.method {
        case .vanilla: method = .alpha(p.alpha)
        case .tmd: method = try target(p.target, x: samples, rows: rows, inputRows: all.rows, beta: beta, system: system, input: input, fail: fail)
        }
        var net: DeltaNet?
        var dimension = p.dimension
        if p.subsample.method == .deltaNet {
            var weights: [Double]?
            if case .reweighted(let logWeights) = method, let top = logWeights.max() { weights = logWeights.map { exp($0 - top) } }
            do {
                let found = try p.subsample.delta.map { try DeltaNet(data: samples, delta: $0, weights: weights, monitor: context.monitor) }
                    ?? DeltaNet(data: samples, targetSize: Swift.min(p.subsample.size, samples.rows - 1), weights: weights, monitor: context.monitor)
                method = try found.method(for: method, data: samples, estimate: p.subsample.estimate)
                net = found
                if dimension == nil, let d = try DiffusionKernel.likelihoodDimension(of: samples, monitor: context.monitor) {
                    dimension = Swift.max(1, Int(d.rounded()))
                    context.log(String(format: "intrinsic dimension of the %d samples %.2f (nearest-neighbour likelihood), d = %d used on the net", samples.rows, d, dimension!))
                }
                context.log(String(format: "δ-net: %d representatives of %d samples, δ = %.4g", found.representatives.count, samples.rows, found.delta))
            } catch let e as LinalgError {
                throw fail("params.subsample: δ-net of input 'data' (\(samples.rows) samples): \(e)")
            }
        }
        let x = net.map { samples.rows($0.representatives) } ?? samples
        let options = DiffusionMap.Options(
            method: method, kernel: p.kernel.storage,
            neighbors: Swift.min(p.neighbors, x.rows - 1), epsilon: p.epsilon.bandwidth,
            bandwidth: p.bandwidth == .fixed ? .fixed : .variable(neighbors: p.bandwidthNeighbors),
            reachTolerance: p.reachTolerance, dimension: dimension,
            components: p.components + (p.localizedModes == .exclude ? DiffusionMapModel.exclusionSpares : 0),
            beta: p.method == .tmd ? beta! : beta ?? 1, denseLimit: p.denseLimit, extraPairs: p.solver.extraPairs,
            lanczos: p.solver.lanczos, eigensolver: p.solver.eigensolver, localizedModes: p.localizedModes == .refuse ? .refuse : .keep)
        var model: DiffusionMapModel
        do {
            model = try DiffusionMap.fit(x, options: options, monitor: context.monitor)
        } catch let e as LinalgError {
            throw fail("diffusion map of input 'data' (\(x.rows) samples): \(e)")
        }
        var excluded: (ranks: [Int], model: DiffusionMapModel)?
        if p.localizedModes == .exclude {
            guard let (kept, isolated) = model.withoutIsolatedModes(count: p.components) else {
                throw fail("params.localized_modes: exclude: fewer than \(p.components) of the \(options.components) slowest eigenvectors are spread over the data; use more neighbours or localized_modes: keep")
            }
            let dropped = model.selecting(isolated)
            for (c, mode) in zip(isolated, dropped.modes) {
                context.log(String(format: "excluded eigenvector %d (λ = %.5g): %@", c + 1, -model.generatorEigenvalues[c], mode.summary))
            }
            excluded = (isolated, dropped)
            model = kept
        }
        try writeTarget(method, to: context.output.root)
        let sampleSource = try input.sourceIndex().map { s in rows.map { s[$0] } } ?? rows
        let source = net.map { $0.representatives.map { sampleSource[$0] } } ?? sampleSource
        try write(model, parameters: p, source: source, to: context.output.root)
        if let (ranks, dropped) = excluded, !ranks.isEmpty {
            let out = context.output.root
            let rows = zip(ranks, zip(dropped.generatorEigenvalues, dropped.modes)).flatMap { c, pair in
                [Double(c + 1), -pair.0, pair.1.participationRatio, pair.1.effectiveSamples, pair.1.supportMass, Double(pair.1.supportSamples)]
            }
            try out.write(Output.excludedModes, values: rows, shape: [ranks.count, 6])
            let d = try out.dataset(Output.excludedModes.name)
            try d.setAttribute("columns", .strings(["rank", "generator_eigenvalue", "participation_ratio", "effective_samples", "support_mass", "support_samples"]))
            try d.setAttribute("centroids", .doubles(dropped.modes.flatMap(\.centroid)))
        }
        if let net {
            let extended: Matrix
            do {
                extended = try model.extend(to: samples, monitor: context.monitor)
            } catch let e as LinalgError {
                throw fail("params.subsample: Nyström extension to the \(samples.rows) samples: \(e)")
            }
            let out = context.output.root
            try out.write(Output.mass, vector: net.mass)
            try out.write(Output.frameEigenvectors, matrix: extended)
            try out.write(Output.frameRepresentative, integers: net.assignment.map(Int64.init))
            try out.write(Output.frameSourceIndex, integers: sampleSource.map(Int64.init))
            try out.setAttribute("delta", .double(net.delta))
            try out.setAttribute("subsampled_from", .int(Int64(samples.rows)))
        }
        context.log("generator eigenvalues λ = " + model.generatorEigenvalues.map { String(format: "%.5g", -$0) }.joined(separator: ", "))
    }

    /// Records the TMDmap target on the fitted rows (`Output.logTarget`); nothing for the
    /// α-normalized map, whose operator has no target.
    static func writeTarget(_ method: DiffusionMap.Method, to out: HDF5Group) throws {
        let (form, values): (String, [Double])
        switch method {
        case .targetMeasure(let logTarget): (form, values) = ("measure", logTarget)
        case .reweighted(let logWeights): (form, values) = ("reweighted", logWeights)
        case .alpha: return
        }
        try out.write(Output.logTarget, vector: values)
        try out.dataset(Output.logTarget.name).setAttribute("form", .string(form))
    }

    /// The method `writeTarget` recorded in a map read as `input`, or nil when it has none.
    static func recordedTarget(in input: LearningInput, rows: Int) throws -> DiffusionMap.Method? {
        guard let values = try input.vector(Output.logTarget.name, count: rows) else { return nil }
        guard values.allSatisfy({ $0.isFinite }) else { throw input.problem("\(Output.logTarget.name) has a non-finite entry") }
        let form = try? input.file.root.dataset(Output.logTarget.name).attribute("form")
        switch form {
        case .string("measure")?: return .targetMeasure(logTarget: values)
        case .string("reweighted")?: return .reweighted(logWeights: values)
        default: throw input.problem("\(Output.logTarget.name) needs a form attribute: measure or reweighted")
        }
    }

    /// The TMDmap target log π at the samples.
    static func target(_ target: Target, x: Matrix, rows: [Int], inputRows: Int, beta: Double?, system: SimulationSystem?,
                       input: LearningInput, fail: (String) -> FlowError) throws -> DiffusionMap.Method {
        switch target {
        case .system:
            guard let system else { throw fail("params.target: system needs system: naming an entry of systems:; or use target: energy or weights") }
            guard system.potential.dimension == x.cols else {
                throw fail("params.target: system: input 'data' /x has \(x.cols) columns but the system has \(system.potential.dimension) coordinates (features, not configurations); use target: weights or energy")
            }
            let b = beta ?? system.beta
            return .targetMeasure(logTarget: (0..<x.rows).map { -b * system.potential.energy(x.row($0)) })
        case .energy:
            guard let b = beta else { throw fail("params.target: energy needs β: give system: or params.beta") }
            guard let energy = try input.vector("energy", count: inputRows) else {
                throw fail("params.target: energy: input 'data' has no /energy (features do not carry it); connect the simulate output or use target: weights")
            }
            return .targetMeasure(logTarget: rows.map { -b * energy[$0] })
        case .weights:
            guard beta != nil else { throw fail("params.target: weights needs β to scale the generator eigenvalues: give system: or params.beta") }
            guard let w = try input.vector(SharedDatasets.weights.name, count: inputRows) else {
                throw fail("params.target: weights: input 'data' has no /weights; connect a simulate (or features of one) output, or use target: system")
            }
            if let bad = rows.first(where: { !(w[$0] > 0 && w[$0].isFinite) }) {
                throw fail("params.target: weights: /weights must be positive and finite (row \(bad) is \(w[bad]))")
            }
            return .reweighted(logWeights: rows.map { log(w[$0]) })
        }
    }

    static func write(_ model: DiffusionMapModel, parameters p: Parameters, source: [Int], to out: HDF5Group) throws {
        try out.write(Output.eigenvectors, matrix: model.eigenvectors)
        try out.write(Output.eigenvalues, vector: model.eigenvalues)
        try out.write(Output.generatorEigenvalues, vector: model.generatorEigenvalues.map { -$0 })
        try out.write(Output.epsilon, vector: [model.epsilon])
        try (try out.dataset(Output.epsilon.name)).setAttribute("convention", .string("k(x, y) = exp(-|x - y|^2 / (4 epsilon rho(x) rho(y)))"))
        try out.write(Output.density, vector: model.density)
        try out.write(Output.stationary, vector: model.stationary)
        try out.write(Output.bandwidth, vector: model.bandwidth?.values ?? [Double](repeating: 1, count: model.data.rows))
        try out.write(Output.sourceIndex, integers: source.map(Int64.init))
        try out.write(Output.x, matrix: model.data)
        try out.write(Output.modes, values: model.modes.flatMap { [$0.participationRatio, $0.effectiveSamples, $0.supportMass, Double($0.supportSamples)] },
                      shape: [model.modes.count, 4])
        let modes = try out.dataset(Output.modes.name)
        try modes.setAttribute("columns", .strings(["participation_ratio", "effective_samples", "support_mass", "support_samples"]))
        try modes.setAttribute("centroids", .doubles(model.modes.flatMap(\.centroid)))
        try modes.setAttribute("extents", .doubles(model.modes.flatMap(\.extent)))
        try out.setAttribute("intrinsic_dimension", .double(model.intrinsicDimension))
        try out.setAttribute("bgh_dimension", .double(model.slopeDimension))
        try out.setAttribute("dimension", .int(Int64(model.dimension)))
        try out.setAttribute("components", .int(Int64(p.components)))
        try out.setAttribute("samples", .int(Int64(model.data.rows)))
        try out.setAttribute("neighbors", .int(Int64(model.neighbors ?? model.data.rows - 1)))
        try out.setAttribute("epsilon", .double(model.epsilon))
        try out.setAttribute("beta", .double(model.beta))
        try out.setAttribute("solver", .string(model.solver))
        try out.setAttribute("trivial_eigenvalue", .double(model.trivialEigenvalue))
        try out.setAttribute("localization", .doubles(model.localization))
        try out.setAttribute("sign_convention", .string("generator_eigenvalues are λ > 0 with L f = −λ f, L = β⁻¹Δ − ∇V·∇"))
    }
}
