import FlowCore
import FlowMD

/// The dynamics keys `simulate` and `transition-rates` share (`integrator`, `dt`, `friction`,
/// `steps`, `walkers`, `initial`), read from and written to the stage's own flat `params`
/// mapping; β comes from the system. The stages differ only in the defaults they pass.
struct DynamicsParameters: Decodable {
    var integrator: IntegratorChoice
    var dt: Double
    var friction: Double
    var steps: Int
    var walkers: Int
    var initial: InitialState

    enum CodingKeys: String, CodingKey { case integrator, dt, friction, steps, walkers, initial }

    init(from decoder: Decoder) throws {
        try self.init(from: decoder, steps: 100_000, minimumWalkers: 1, walkersHelp: "independent walkers (own random streams)")
    }

    init(from decoder: Decoder, steps defaultSteps: Int, minimumWalkers: Int, walkersHelp: String) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        integrator = try p(.integrator, default: .eulerMaruyama, help: IntegratorChoice.help)
        dt = try p(.dt, default: 1e-4, unit: "time", in: .positive, help: "time step")
        friction = try p(.friction, default: 1.0, unit: "1/time", in: .positive, help: "baoab: friction γ")
        steps = try p(.steps, default: defaultSteps, in: .atLeast(1), help: "steps per walker")
        walkers = try p(.walkers, default: 10, in: .atLeast(minimumWalkers), help: walkersHelp)
        initial = try p(.initial, literal: "random", help: InitialState.help)
        try p.checkAllocation(.walkers, [walkers], what: "walkers", fix: "lower walkers")
    }

    /// Refuses `rows` rows (walkers, or saved frames) of the system's `dimension` coordinates that
    /// do not fit in memory, before anything is allocated: validation bounds the rows alone, as
    /// the dimension is known only once the system is built.
    static func checkFits(rows: Int, dimension: Int, what: String, fix: String, stage: String) throws {
        if let problem = InputLimits.allocationProblem([rows, dimension], what: "\(what) × dimension \(dimension)") {
            throw FlowError.stageFailed(stage: stage, message: "\(problem); \(fix)")
        }
    }

    /// The integrator at the system's β.
    func integrator(beta: Double) -> any EnsembleIntegrator {
        integrator.make(dt: dt, beta: beta, friction: friction)
    }
}
