import FlowCore
import FlowMD

/// The dynamics a sampling stage uses (`integrator:`, `dt`, `friction`), β from the system.
enum IntegratorChoice: String, ParameterEnum {
    case eulerMaruyama = "euler-maruyama"
    case mala
    case baoab

    static let help = "euler-maruyama: overdamped Langevin; mala: Metropolis-adjusted (exact e^{−βV}, reports acceptance); baoab: underdamped Langevin with friction"

    func make(dt: Double, beta: Double, friction: Double) -> any EnsembleIntegrator {
        switch self {
        case .eulerMaruyama: return EulerMaruyama(timeStep: dt, beta: beta)
        case .mala: return MALA(timeStep: dt, beta: beta)
        case .baoab: return BAOAB(timeStep: dt, beta: beta, friction: friction)
        }
    }
}
