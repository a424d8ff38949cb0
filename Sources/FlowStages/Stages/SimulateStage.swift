import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: simulate` — sampling a system with independent walkers (DESIGN §6). `steps` and
/// `stride` count per walker: the output has walkers × ⌊steps/stride⌋ frames, walker-major, and
/// `/walker` gives each frame's walker.
enum SimulateStage: StageKind {
    static let name = "simulate"
    static let version = 1
    static let summary = "sample a system with independent walkers (overdamped Langevin)"
    static let system = SystemRequirement.required
    static var cpus: Int { ProcessInfo.processInfo.activeProcessorCount }
    static let inputs: [InputSpec] = []
    static let outputs: [OutputSpec] = [
        OutputSpec("/x", "frames × D configurations, walker-major"),
        OutputSpec("/time", "time of each frame since the start of its walker"),
        OutputSpec("/energy", "potential energy of each frame"),
        OutputSpec("/walker", "walker index of each frame (int64)"),
        OutputSpec("/weights", "reweighting weight of each frame (1 for unbiased runs)"),
    ]

    enum Integrator: String, ParameterEnum {
        case eulerMaruyama = "euler-maruyama"
    }

    struct Parameters: Codable {
        var integrator: Integrator
        var dt: Double
        var steps: Int
        var stride: Int
        var walkers: Int
        var initial: InitialState

        enum CodingKeys: String, CodingKey { case integrator, dt, steps, stride, walkers, initial }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            integrator = try p(.integrator, default: .eulerMaruyama,
                               help: "euler-maruyama: overdamped Langevin dX = −∇V dt + √(2/β) dW")
            dt = try p(.dt, default: 1e-4, unit: "time", in: .positive, help: "time step")
            steps = try p(.steps, default: 100_000, in: .atLeast(1), help: "steps per walker")
            stride = try p(.stride, default: 100, in: .atLeast(1), help: "save a frame every stride steps")
            walkers = try p(.walkers, default: 10, in: .atLeast(1), help: "independent walkers (own random streams)")
            initial = try p(.initial, default: .random,
                            help: "starting configuration: a named state of the system (e.g. A), random (uniform in the system's box), or a list of coordinates")
            try p.check(stride <= steps, .stride, "must not exceed steps (\(steps)); no frame would be saved")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let system = try SystemFactory.simulationSystem(for: context.system, stage: context.stageName)
        var rng = context.random("initial")
        let initial = try (0..<p.walkers).map { _ in try p.initial.configuration(in: system, rng: &rng, stage: context.stageName) }
        let potential = system.potential
        let ensemble = WalkerEnsemble(initial: initial, steps: p.steps, stride: p.stride, dt: p.dt, seed: context.seed) {
            EulerMaruyama(potential: potential, dt: p.dt, beta: system.beta)
        }
        context.log("\(p.walkers) walkers × \(p.steps) steps, dt \(p.dt), β \(system.beta)")
        try ensemble.run(monitor: context.monitor, checkpoints: context.checkpoints, threads: context.cpus)
        let t = ensemble.trajectory()
        let out = context.output.root
        try out.write("x", matrix: t.x, description: "configurations (" + system.coordinateNames.joined(separator: ", ") + ")")
        try out.write("time", vector: t.time, units: "time")
        try out.write("energy", vector: t.energy, units: "energy")
        try out.write("walker", t.walker.map(Int64.init), shape: [t.walker.count])
        try out.write("weights", vector: [Double](repeating: 1, count: t.time.count))
        try out.setAttribute("beta", .double(system.beta))
        try out.setAttribute("coordinate_names", .strings(system.coordinateNames))
    }
}

/// Where walkers start: a named configuration of the system, uniform random in its box, or
/// explicit coordinates.
enum InitialState: Codable, Equatable, ParameterTypeDescribing {
    case named(String)
    case random
    case coordinates([Double])

    static var parameterTypeName: String { "state name, 'random', or list of numbers" }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode([Double].self) {
            self = .coordinates(v)
        } else {
            let s = try c.decode(String.self)
            self = s == "random" ? .random : .named(s)
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .named(let s): try c.encode(s)
        case .random: try c.encode("random")
        case .coordinates(let v): try c.encode(v)
        }
    }

    func configuration(in system: SimulationSystem, rng: inout RandomSource, stage: String) throws -> [Double] {
        switch self {
        case .named(let name):
            guard let x = system.namedConfigurations[name] else {
                let known = system.namedConfigurations.keys.sorted()
                throw FlowError.stageFailed(stage: stage, message: "params.initial: the system has no state '\(name)'\(DidYouMean.hint(for: name, among: known)); states: \(known.joined(separator: ", ")), or random")
            }
            return x
        case .random:
            guard let box = system.domain else {
                throw FlowError.stageFailed(stage: stage, message: "params.initial: random needs a system with a box; give a state name or coordinates")
            }
            return box.map { rng.uniform($0.lowerBound, $0.upperBound) }
        case .coordinates(let v):
            guard v.count == system.potential.dimension else {
                throw FlowError.stageFailed(stage: stage, message: "params.initial has \(v.count) coordinates; the system has \(system.potential.dimension)")
            }
            return v
        }
    }
}
