import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// Where walkers start: a named configuration of the system (a minimum), uniform random in its
/// box, `boltzmann` (independent exact samples of e^{−βV} in the box, for low-dimensional systems:
/// walkers start at equilibrium, so no burn-in is needed and well populations are right from the
/// first frame), explicit coordinates, or `input`: frames of the stage input `initial` (each input
/// walker's last frame when it has `/walker`, else rows spread evenly), cycled over the walkers.
enum InitialState: Decodable, Equatable, ParameterTypeDescribing {
    case named(String)
    case random
    case boltzmann
    case input
    case coordinates([Double])

    static var parameterTypeName: String { "state name, 'random', 'boltzmann', 'input', or list of numbers" }

    static let help = "starting configuration: a named state of the system (e.g. A, hexagon), random (uniform in the system's box), boltzmann (exact samples of e^{−βV} in the box; systems of dimension ≤ 3), input (frames of the input 'initial'), or a list of coordinates"

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode([Double].self) {
            self = .coordinates(v)
        } else {
            switch try c.decode(String.self) {
            case "random": self = .random
            case "boltzmann": self = .boltzmann
            case "input": self = .input
            case let name: self = .named(name)
            }
        }
    }

    /// One configuration per walker; `parameter` names the parameter in error messages.
    func configurations(walkers: Int, in system: SimulationSystem, context: StageContext,
                        parameter: String = "initial") throws -> [[Double]] {
        let stage = context.stageName
        let d = system.potential.dimension
        switch self {
        case .named(let name):
            guard let x = system.namedConfigurations[name] else {
                let known = system.namedConfigurations.keys.sorted()
                throw FlowError.stageFailed(stage: stage, message: "params.\(parameter): the system has no state '\(name)'\(DidYouMean.hint(for: name, among: known)); states: \(known.joined(separator: ", ")), or random")
            }
            return [[Double]](repeating: x, count: walkers)
        case .random:
            guard let box = system.domain else {
                throw FlowError.stageFailed(stage: stage, message: "params.\(parameter): random needs a system with a box; give a state name or coordinates")
            }
            var rng = context.random("initial")
            return (0..<walkers).map { _ in box.map { rng.uniform($0.lowerBound, $0.upperBound) } }
        case .boltzmann:
            guard let box = system.domain, d <= 3 else {
                throw FlowError.stageFailed(stage: stage, message: "params.\(parameter): boltzmann needs a system with a box and at most 3 coordinates (rejection sampling); use random with a burn-in, or a state name")
            }
            var rng = context.random("initial")
            return try BoltzmannSampler(system: system, box: box).samples(walkers, rng: &rng, monitor: context.monitor, stage: stage)
        case .coordinates(let v):
            guard v.count == d else {
                throw FlowError.stageFailed(stage: stage, message: "params.\(parameter) has \(v.count) coordinates; the system has \(d)")
            }
            return [[Double]](repeating: v, count: walkers)
        case .input:
            guard context.hasInput("initial") else {
                throw FlowError.stageFailed(stage: stage, message: "params.\(parameter) is 'input' but no input 'initial' is connected; add inputs: {initial: <stage>}")
            }
            let f = try context.input("initial")
            defer { try? f.close() }
            let x = try f.root.readMatrix(SharedDatasets.x)
            guard x.cols == d, x.rows > 0 else {
                throw FlowError.stageFailed(stage: stage, message: "input 'initial' has /x of \(x.rows) × \(x.cols); the system needs \(d) columns")
            }
            var rows: [Int]
            if f.root.contains(SharedDatasets.walker) {
                let w = try f.root.readIntegers(SharedDatasets.walker)
                var last: [Int64: Int] = [:]
                for (i, v) in w.enumerated() { last[v] = i }
                rows = last.keys.sorted().map { last[$0]! }
            } else {
                rows = (0..<min(walkers, x.rows)).map { $0 * x.rows / min(walkers, x.rows) }
            }
            return (0..<walkers).map { x.row(rows[$0 % rows.count]) }
        }
    }
}
