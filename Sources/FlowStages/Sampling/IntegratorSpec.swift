import FlowCore
import FlowMD

/// The dynamics a sampling stage uses (`integrator:`, `dt`, `friction`), β from the system.
enum IntegratorChoice: String, ParameterEnum {
    case eulerMaruyama = "euler-maruyama"
    case mala
    case baoab
    case langevinBAOAB = "langevin-baoab"
    case velocityVerlet = "velocity-verlet"
    case brownian

    static let help = "euler-maruyama (= brownian): overdamped Langevin; mala: Metropolis-adjusted (exact e^{−βV}, reports acceptance; model systems); baoab (= langevin-baoab): underdamped Langevin with friction; velocity-verlet: NVE (no friction)"

    func make(dt: Double, beta: Double, friction: Double) -> any EnsembleIntegrator {
        switch self {
        case .eulerMaruyama, .brownian: return EulerMaruyama(timeStep: dt, beta: beta)
        case .mala: return MALA(timeStep: dt, beta: beta)
        case .baoab, .langevinBAOAB: return BAOAB(timeStep: dt, beta: beta, friction: friction)
        case .velocityVerlet: return BAOAB(timeStep: dt, beta: beta, friction: 0)
        }
    }
}
