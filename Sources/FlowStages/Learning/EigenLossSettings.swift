import FlowCore
import FlowMD
import FlowNN

/// Defaults and checks shared by the stages that use `EigenfunctionLoss` (the `eigenfunctions`
/// stage and the `autoencoder`'s regularizer).
enum EigenLossSettings {
    /// α of Zhang et al.'s examples (EigenPDE-NN uses 20 for both penalty constants).
    static let defaultPenalty = 20.0

    /// ωᵢ = (K + 1 − i)/K: 1, (K−1)/K, …, 1/K. Any strictly decreasing positive weights make the
    /// eigenfunctions the minimizers (Zhang, Li & Schütte 2022); equal spacing keeps each gap
    /// between consecutive weights as large as possible relative to ω₁.
    static func defaultWeights(count: Int) -> [Double] {
        (1...count).map { Double(count + 1 - $0) / Double(count) }
    }

    /// Why `weights` cannot be the ω of `count` eigenfunctions, or nil if they can.
    static func problem(weights: [Double], count: Int) -> String? {
        if weights.count != count { return "needs one weight per eigenfunction (\(count)), got \(weights.count)" }
        if !weights.allSatisfy({ $0 > 0 }) { return "weights must be positive" }
        if !zip(weights, weights.dropFirst()).allSatisfy({ $0 > $1 }) { return "weights must decrease strictly (ω₁ > ω₂ > …)" }
        return nil
    }

    /// β of the stage: `params.beta` if given, else the system's.
    static func beta(parameter: Double?, system: SimulationSystem?, stage: String) throws -> Double {
        guard let beta = parameter ?? system?.beta else {
            throw FlowError.stageFailed(stage: stage, message: "no β: set params.beta or give the stage a system:")
        }
        return beta
    }
}

extension ParameterContainer {
    /// The ω, α and sorting keys of an eigenfunction loss over `count` functions (named
    /// `functions` in the help texts), with their defaults and checks.
    func eigenLoss(count: Int, weights: Key, penalty: Key, sort: Key,
                   functions: String) throws -> (weights: [Double], penalty: Double, sort: Bool) {
        let given: [Double]? = try optional(weights, help: "ω_1 > … > ω_K > 0 of the Rayleigh quotients of the \(functions) (default (K + 1 − i)/K: 1, 2/3, 1/3 for K = 3)")
        if let given, let problem = EigenLossSettings.problem(weights: given, count: count) {
            try check(false, weights, problem)
        }
        let alpha = try self(penalty, default: EigenLossSettings.defaultPenalty, in: .nonNegative,
                             help: "α of the penalty Σ_{i≤j} (Cov − δ_ij)² on the \(functions)")
        let sorts = try self(sort, default: true, help: "re-order the \(functions) by their current Rayleigh quotient at every step (Zhang et al.)")
        return (given ?? derivedDefault(weights, EigenLossSettings.defaultWeights(count: count)), alpha, sorts)
    }
}
