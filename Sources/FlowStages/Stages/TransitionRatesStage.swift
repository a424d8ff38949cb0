import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: transition-rates` — brute-force reference rates (DESIGN §6): long unbiased runs of
/// independent walkers, assigned to named core sets on the fly every `interval` steps (no
/// frames kept), giving escape rates k_A (inverse mean first-passage time out of A into any other
/// core) and reactive fluxes ν_AB (TPT), with bootstrap confidence intervals over walkers.
enum TransitionRatesStage: StageKind {
    static let name = "transition-rates"
    static let version = 1
    static let summary = "brute-force escape rates and reactive fluxes between core sets, CIs over walkers"
    static let system = SystemRequirement.required
    static var cpus: Int { ProcessInfo.processInfo.activeProcessorCount }
    static let inputs: [InputSpec] = [InputSpec("initial", required: false, help: "frames to start from when params.initial is 'input'")]
    static let outputs = [
        OutputSpec("/rates/from", "state (string)"), OutputSpec("/rates/to", "state, or 'any' for escape rates (string)"),
        OutputSpec("/rates/kind", "escape (k_A = exits / time last in A) or flux (ν_AB = reactive A→B events / total time)"),
        OutputSpec("/rates/rate", "rate (1/time)"), OutputSpec("/rates/ci_low", "lower confidence bound"),
        OutputSpec("/rates/ci_high", "upper confidence bound"), OutputSpec("/rates/events", "events counted (int64)"),
        OutputSpec("/counts", "pooled core-to-core transition counts (states × states, int64)"),
        OutputSpec("/residence_time", "pooled time with each state as the last core"),
        OutputSpec("/states", "state names"),
    ]

    struct Parameters: Codable {
        var integrator: IntegratorChoice
        var dt: Double
        var steps: Int
        var walkers: Int
        var friction: Double
        var initial: InitialState
        var interval: Int
        var states: [CoreSetSpec]
        var quench: QuenchSpec
        var confidence: Double
        var resamples: Int

        enum CodingKeys: String, CodingKey { case integrator, dt, steps, walkers, friction, initial, interval, states, quench, confidence, resamples }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            integrator = try p(.integrator, default: .eulerMaruyama, help: IntegratorChoice.help)
            dt = try p(.dt, default: 1e-4, unit: "time", in: .positive, help: "time step")
            steps = try p(.steps, default: 1_000_000, in: .atLeast(1), help: "steps per walker")
            walkers = try p(.walkers, default: 10, in: .atLeast(2), help: "independent walkers (the confidence intervals resample them)")
            friction = try p(.friction, default: 1.0, unit: "1/time", in: .positive, help: "baoab: friction γ")
            initial = try p(.initial, default: .random, help: InitialState.help)
            interval = try p(.interval, default: 100, in: .atLeast(1), help: "assign the state every this many steps (time resolution of the events)")
            states = try p.list(.states, help: "core sets (default: every named minimum of the system)")
            quench = try p.group(.quench, help: "quench used by minimum-based core sets")
            confidence = try p(.confidence, default: 0.95, in: .halfOpen(0, 1), help: "confidence level of the intervals")
            resamples = try p(.resamples, default: 2000, in: .atLeast(100), help: "bootstrap resamples over walkers")
            try p.check(interval <= steps, .interval, "must not exceed steps (\(steps))")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        let system = try SystemFactory.simulationSystem(for: context.system, stage: stage)
        let assignment: any StateAssignment
        do { assignment = try CoreSetSpec.assignment(p.states, quench: p.quench, system: system) } catch {
            throw FlowError.stageFailed(stage: stage, message: "params.\(error)")
        }
        let names = assignment.stateNames
        let initial = try p.initial.configurations(walkers: p.walkers, in: system, context: context)
        let trackers = (0..<p.walkers).map { _ in CoreSetTracker(assignment: assignment) }
        let ensemble = WalkerEnsemble(potential: system.potential, integrator: p.integrator.make(dt: p.dt, beta: system.beta, friction: p.friction),
                                      initial: initial,
                                      settings: EnsembleSettings(steps: p.steps, stride: 0, seed: context.seed, observationInterval: p.interval),
                                      observers: trackers)
        context.log("\(p.walkers) walkers × \(p.steps) steps (time \(Double(p.steps) * p.dt) each), states \(names.joined(separator: ", "))")
        do {
            try ensemble.run(monitor: context.monitor, checkpoints: context.checkpoints, threads: context.cpus)
        } catch let e as SamplingError {
            throw FlowError.stageFailed(stage: stage, message: e.description)
        }
        var rng = context.random("bootstrap")
        let estimate = TransitionRateEstimate(trackers: trackers, names: names, confidence: p.confidence, resamples: p.resamples, random: &rng)
        let out = context.output.root
        let rows = estimate.rows
        try out.write("rates/from", strings: rows.map(\.from))
        try out.write("rates/to", strings: rows.map(\.to))
        try out.write("rates/kind", strings: rows.map(\.kind))
        try out.write("rates/rate", vector: rows.map(\.rate), units: "1/time")
        try out.write("rates/ci_low", vector: rows.map(\.low), units: "1/time")
        try out.write("rates/ci_high", vector: rows.map(\.high), units: "1/time")
        try out.write("rates/events", rows.map { Int64($0.events) }, shape: [rows.count])
        try out.group("rates").setAttribute("confidence", .double(p.confidence))
        let k = names.count
        try out.write("counts", estimate.counts.flatMap { $0.map(Int64.init) }, shape: [k, k])
        try out.write("residence_time", vector: estimate.residence, units: "time")
        try out.write("states", strings: names)
        for r in rows where r.events > 0 || r.kind == "escape" {
            context.log(String(format: "%@ %@ → %@: %.4e [%.4e, %.4e] (%d events)", r.kind, r.from, r.to, r.rate, r.low, r.high, r.events))
        }
    }
}
