/// The quantities of a rate table between metastable states, named as in the `/rates` datasets
/// that brute-force estimates (FlowMD's `TransitionRateEstimate`) and transition path theory on a
/// generator (FlowAnalysis's `TransitionRateTable`) both write, so reports compare them row by row.
public enum RateQuantity: String, Sendable, CaseIterable {
    /// k_AB = 1/MFPT(A → B) counted from the last visit to A (other states ignored).
    case mfptRate = "k_AB"
    /// ν_AB, the reactive flux: A → B transitions per unit time.
    case reactiveFlux = "nu_AB"
    /// ρ_A, the fraction of time (probability) with A as the last visited of the pair.
    case occupancy = "rho_A"
    /// k_A, exits from A into any other state per unit time last in A.
    case escapeRate = "k_A"
}
