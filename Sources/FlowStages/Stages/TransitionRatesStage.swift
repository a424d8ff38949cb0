import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: transition-rates` — brute-force reference rates (DESIGN §6): long unbiased runs of
/// independent walkers, assigned to named states on the fly every `interval` steps (no frames
/// kept) and followed by the label of the last state visited. For each ordered pair (A, B),
/// other states ignored, it reports N_AB (reactive A→B trajectories), k_AB = N_AB / T_A|AB
/// (1/MFPT from A to B), ν_AB = N_AB / T (reactive flux) and ρ_A = T_A|AB / T; for each state,
/// k_A = 1/MFPT from A to any other state (Vanden-Eijnden & E, transition path theory; see
/// `TransitionRateEstimate`). Confidence intervals resample whole walkers.
///
/// On a `charmm` system the walkers are replicas of the molecule (`MolecularRatesRunner`):
/// Brownian dynamics, Langevin BAOAB or velocity Verlet in ps, states on molecular CVs (dihedral
/// ranges wrap around ±π), rates in 1/ps.
enum TransitionRatesStage: StageKind {
    static let name = "transition-rates"
    static let version = 3
    static let summary = "brute-force k_AB = 1/MFPT(A→B), flux ν_AB, occupancy ρ_A and escape rates k_A between named states, CIs over walkers"
    static let system = SystemRequirement.required
    static var cpus: Int { ProcessInfo.processInfo.activeProcessorCount }
    static let inputs: [InputSpec] = [InputSpec("initial", required: false, help: "frames to start from when params.initial is 'input'")]
    enum Output {
        static let from = OutputDataset.strings("/rates/from", "rows", "state A")
        static let to = OutputDataset.strings("/rates/to", "rows", "state B of the pair, or 'any' for k_A")
        static let quantity = OutputDataset.strings("/rates/quantity", "rows",
            "k_AB = N_AB/T_A|AB, 1/MFPT A→B (other states ignored); nu_AB = N_AB/T, reactive flux; rho_A = T_A|AB/T (dimensionless); k_A = exits from A/time last in A, 1/MFPT A→any other state")
        static let rate = OutputDataset.float64("/rates/rate", "rows",
            "the estimate, pooled over walkers: 1/time for k_AB, nu_AB, k_A; the dimensionless occupancy for rho_A")
        static let low = OutputDataset.float64("/rates/ci_low", "rows", "lower bound of the bootstrap confidence interval over walkers")
        static let high = OutputDataset.float64("/rates/ci_high", "rows", "upper bound of the bootstrap confidence interval over walkers")
        static let events = OutputDataset.int64("/rates/events", "rows", "N_AB for pair rows, exits from A for k_A")
        static let time = OutputDataset.float64("/rates/time", "rows", units: "system time",
            "denominator: T_A|AB (k_AB), T (nu_AB, rho_A), time last in A (k_A)")
        static let counts = OutputDataset.int64("/counts", "states × states", "pooled switches of the last-visited label i → j, all states considered")
        static let residence = OutputDataset.float64("/residence_time", "states", units: "system time", "pooled time with each state as the last visited")
        static let totalTime = OutputDataset.float64("/total_time", "1", units: "system time", "pooled run time T over all walkers")
        static let states = OutputDataset.strings("/states", "states", "state names")
        static let sensitivityFraction = OutputDataset.float64("/core_sensitivity/fraction", "variants", when: "core states with quench.sensitivity",
            "the core fractions: params.quench.core_fraction first, then quench.sensitivity")
        static let sensitivityRate = OutputDataset.float64("/core_sensitivity/rate", "rows × variants", when: "core states with quench.sensitivity",
            "each /rates row (same order) with the cores of each fraction, from the same trajectories")
    }
    static let outputs = [Output.from, Output.to, Output.quantity, Output.rate, Output.low, Output.high, Output.events, Output.time,
                          Output.counts, Output.residence, Output.totalTime, Output.states, Output.sensitivityFraction, Output.sensitivityRate]

    struct Parameters: Decodable {
        var dynamics: DynamicsParameters
        var interval: Int
        var states: [StateSpec]
        var quench: QuenchSpec
        var confidence: Double
        var resamples: Int
        // charmm systems only (MolecularRatesRunner); absent keys leave model-system cache keys unchanged.
        var minimization: MinimizationSpec?
        var equilibrationSteps: Int?

        enum CodingKeys: String, CodingKey {
            case interval, states, quench, confidence, resamples
            case minimization, equilibrationSteps = "equilibration_steps"
        }

        init(from decoder: Decoder) throws {
            dynamics = try DynamicsParameters(from: decoder, steps: 1_000_000, minimumWalkers: 2,
                                              walkersHelp: "independent walkers (the confidence intervals resample them)")
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            interval = try p(.interval, default: 10, in: .atLeast(1), help: "assign the state every this many steps (time resolution of the events)")
            states = try p.list(.states, help: "named states (default: the system's default states, e.g. the LJ7 hexagon and trapezoid regions in (mu2, mu3); else a quench core around every named minimum; charmm systems: required, regions of molecular CVs such as dihedral ranges)")
            quench = try p.group(.quench, help: "quench used by minimum and basin states")
            confidence = try p(.confidence, default: 0.95, in: .halfOpen(0, 1), help: "confidence level of the intervals")
            resamples = try p(.resamples, default: 2000, in: .atLeast(100), help: "bootstrap resamples over walkers")
            minimization = try p.optionalGroup(.minimization, help: "charmm systems: L-BFGS minimization of the starting structure")
            equilibrationSteps = try p.optional(.equilibrationSteps, in: .atLeast(0), help: "charmm systems: unbiased Langevin BAOAB steps before the counted run (default 0)")
            try p.check(interval <= dynamics.steps, .interval, "must not exceed steps (\(dynamics.steps))")
        }
    }

    /// Walkers (replicas) are independent: a part runs a contiguous range of them, each on the
    /// random stream of its global index, and hands its last-visit trackers to the gather step
    /// (`RatesPart`), which estimates the rates from all of them.
    static let shardedItems: String? = "walkers (replicas of a charmm molecule)"

    static func shardProblem(_ p: Parameters, shards: Int) -> String? {
        StageShard.tooManyParts(shards, for: p.dynamics.walkers, items: "walkers")
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        if try MolecularRatesRunner.applies(to: p, in: context) { return try MolecularRatesRunner.run(p, in: context) }
        let stage = context.stageName
        let system = try SystemFactory.simulationSystem(for: context.system, stage: stage)
        let assignment: any StateAssignment
        do { assignment = try StateSpec.assignment(p.states, quench: p.quench, system: system) } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.\(error)")
        }
        let names = assignment.stateNames
        let variants: [(fraction: Double, assignment: any StateAssignment)]
        do { variants = try StateSpec.coreVariants(p.states, quench: p.quench, system: system) ?? [] } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.\(error)")
        }
        let d = p.dynamics
        try DynamicsParameters.checkFits(rows: d.walkers, dimension: system.potential.dimension, what: "walkers", fix: "lower walkers", stage: stage)
        // With core-size variants every walker feeds one tracker per variant (the main one first).
        let makeTrackers = {
            variants.isEmpty ? [LastVisitTracker(assignment: assignment)] : variants.map { LastVisitTracker(assignment: $0.assignment) }
        }
        let trackerSets: [[LastVisitTracker]]
        if let parts = context.gatheredParts {
            trackerSets = try RatesPart.gathered(parts, stage: stage, make: makeTrackers)
        } else {
            let walkers = try context.partItems(of: d.walkers, items: "walkers")
            // Every walker's start as in the whole run (drawn in walker order from one stream), then this part's.
            let initial = Array(try d.initial.configurations(walkers: d.walkers, in: system, context: context)[walkers])
            trackerSets = walkers.map { _ in makeTrackers() }
            let ensemble = WalkerEnsemble(potential: system.potential, integrator: d.integrator(beta: system.beta), initial: initial,
                                          settings: EnsembleSettings(steps: d.steps, stride: 0, seed: context.seed, observationInterval: p.interval),
                                          observers: trackerSets.map { $0.count == 1 ? $0[0] as WalkerObserver : ObserverGroup($0) },
                                          firstWalker: walkers.lowerBound)
            context.log("\(StageShard.describe(walkers, of: d.walkers, "walkers")) × \(d.steps) steps (time \(Double(d.steps) * d.dt) each), states \(names.joined(separator: ", "))")
            do {
                try ensemble.run(monitor: context.monitor, checkpoints: context.checkpoints, threads: context.cpus)
            } catch let e as SamplingError {
                throw FlowError.stageFailed(stage: stage, message: e.description)
            }
            if ensemble.integrator.reportsAcceptance {
                let a = ensemble.acceptanceRates
                context.log(String(format: "MALA acceptance: mean %.4f, min %.4f", a.reduce(0, +) / Double(a.count), a.min() ?? 0))
            }
            if context.isPart { return try RatesPart.write(trackerSets, to: context.output.root) }
        }
        let trackers = trackerSets.map { $0[0] }
        var rng = context.random("bootstrap")
        let estimate = TransitionRateEstimate(trackers: trackers, names: names, confidence: p.confidence, resamples: p.resamples, random: &rng)
        try write(estimate, names: names, confidence: p.confidence, to: context.output.root)
        if !variants.isEmpty {
            var columns: [[Double]] = []
            for v in variants.indices {
                var rng = context.random("bootstrap-core-\(v)")
                let e = TransitionRateEstimate(trackers: trackerSets.map { $0[v] }, names: names, confidence: p.confidence, resamples: 100, random: &rng)
                columns.append(e.rows.map(\.value))
                let k = e.rows.first { $0.quantity == .mfptRate }
                context.log(String(format: "core fraction %.3g: k_AB %@ → %@ = %.4e (%d events)", variants[v].fraction, k?.from ?? "", k?.to ?? "", k?.value ?? .nan, k?.events ?? 0))
            }
            try writeSensitivity(fractions: variants.map(\.fraction), columns: columns, to: context.output.root)
        }
        for r in estimate.rows {
            context.log(String(format: "%@ %@ → %@: %.4e [%.4e, %.4e] (%d events, time %.4e)",
                               r.quantity.rawValue, r.from, r.to, r.value, r.low, r.high, r.events, r.time))
        }
    }

    /// `/core_sensitivity`: the fractions and, per /rates row, its value with each fraction's cores.
    static func writeSensitivity(fractions: [Double], columns: [[Double]], to out: HDF5Group) throws {
        let rows = columns[0].count
        try out.write(Output.sensitivityFraction, vector: fractions)
        try out.write(Output.sensitivityRate, values: (0..<(rows * fractions.count)).map { columns[$0 % fractions.count][$0 / fractions.count] },
                      shape: [rows, fractions.count])
    }

    static func write(_ estimate: TransitionRateEstimate, names: [String], confidence: Double, to out: HDF5Group) throws {
        let rows = estimate.rows
        try out.write(Output.from, strings: rows.map(\.from))
        try out.write(Output.to, strings: rows.map(\.to))
        try out.write(Output.quantity, strings: rows.map(\.quantity.rawValue))
        try out.write(Output.rate, vector: rows.map(\.value))
        try out.write(Output.low, vector: rows.map(\.low))
        try out.write(Output.high, vector: rows.map(\.high))
        try out.write(Output.events, integers: rows.map { Int64($0.events) })
        try out.write(Output.time, vector: rows.map(\.time))
        try out.group("rates").setAttribute("confidence", .double(confidence))
        let k = names.count
        try out.write(Output.counts, integers: estimate.counts.flatMap { $0.map(Int64.init) }, shape: [k, k])
        try out.write(Output.residence, vector: estimate.residence)
        try out.write(Output.totalTime, vector: [estimate.totalTime])
        try out.write(Output.states, strings: names)
    }
}
