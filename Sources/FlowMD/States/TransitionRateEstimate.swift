import FlowLinalg

/// Brute-force rates from the last-visit trackers of independent walkers (transition path
/// theory: E & Vanden-Eijnden, J. Stat. Phys. 123, 503 (2006); Vanden-Eijnden, "Transition path
/// theory", 2006). For each ordered pair of states (A, B), other states ignored:
/// - `k_AB` = N_AB / T_A|AB, the inverse mean first-passage time from A to B (time runs from the
///   last visit to A, excursions to other states included) — the "escape rate" of the published
///   LJ7 brute-force references (`kA` in Yuan, Sule, Lam & Cameron, arXiv 2507.00408);
/// - `nu_AB` = N_AB / T, the TPT reactive flux (their `rateAB`);
/// - `rho_A` = T_A|AB / T, the fraction of time A was visited more recently than B, so that
///   ν_AB = ρ_A k_AB;
/// and for each state A:
/// - `k_A` = exits from A into any other state / time with A as the last state visited, the
///   inverse mean first-passage time from A to the nearest other state.
/// Each is a ratio of sums pooled over walkers, with a percentile-bootstrap confidence interval
/// from resampling whole walkers (Efron & Tibshirani 1993): events within a walker are
/// correlated, walkers are not.
public struct TransitionRateEstimate: Sendable {
    public typealias Quantity = RateQuantity

    public struct Row: Sendable, Equatable {
        public var from: String
        /// The other state of the pair, or "any" for `k_A`.
        public var to: String
        public var quantity: Quantity
        public var value: Double
        public var low: Double
        public var high: Double
        /// Events behind the estimate: N_AB for the pair quantities, exits for `k_A`.
        public var events: Int
        /// The denominator: T_A|AB (`k_AB`), T (`nu_AB`, `rho_A`), time last in A (`k_A`).
        public var time: Double
    }

    public var rows: [Row]
    /// Pooled switches of the last-visited label i → j (all states considered).
    public var counts: [[Int]]
    /// Pooled time with each state as the last visited.
    public var residence: [Double]
    /// Pooled run time T.
    public var totalTime: Double

    /// One statistic: a per-walker numerator and denominator, summed over walkers.
    struct Ratio {
        var from: Int
        var to: Int
        var quantity: Quantity
        var numerator: (LastVisitTracker) -> Double
        var denominator: (LastVisitTracker) -> Double
        var events: (LastVisitTracker) -> Int
    }

    /// `confidence` e.g. 0.95; needs at least two walkers for an interval.
    public init(trackers: [LastVisitTracker], names: [String], confidence: Double, resamples: Int, random: inout RandomSource) {
        let k = names.count
        var ratios: [Ratio] = []
        for a in 0..<k {
            for b in 0..<k where b != a {
                let n: (LastVisitTracker) -> Int = { $0.reactive[a][b] }
                ratios.append(Ratio(from: a, to: b, quantity: .mfptRate, numerator: { Double(n($0)) },
                                    denominator: { $0.pairResidence[a][b] }, events: n))
                ratios.append(Ratio(from: a, to: b, quantity: .reactiveFlux, numerator: { Double(n($0)) },
                                    denominator: { $0.totalTime }, events: n))
                ratios.append(Ratio(from: a, to: b, quantity: .occupancy, numerator: { $0.pairResidence[a][b] },
                                    denominator: { $0.totalTime }, events: n))
            }
        }
        for a in 0..<k {
            let exits: (LastVisitTracker) -> Int = { $0.transitions[a].reduce(0, +) }
            ratios.append(Ratio(from: a, to: -1, quantity: .escapeRate, numerator: { Double(exits($0)) },
                                denominator: { $0.residence[a] }, events: exits))
        }
        let n = trackers.count
        let draws = (0..<resamples).map { _ in (0..<n).map { _ in random.index(below: n) } }
        rows = ratios.map { r in
            let num = trackers.map(r.numerator), den = trackers.map(r.denominator)
            let time = den.reduce(0, +)
            var low = Double.nan, high = Double.nan
            if n >= 2 && resamples > 0 {
                let boot = draws.map { d -> Double in
                    let t = d.reduce(0.0) { $0 + den[$1] }
                    return t > 0 ? d.reduce(0.0) { $0 + num[$1] } / t : 0
                }.sorted()
                low = Self.quantile(boot, (1 - confidence) / 2)
                high = Self.quantile(boot, (1 + confidence) / 2)
            }
            return Row(from: names[r.from], to: r.to < 0 ? "any" : names[r.to], quantity: r.quantity,
                       value: time > 0 ? num.reduce(0, +) / time : 0, low: low, high: high,
                       events: trackers.reduce(0) { $0 + r.events($1) }, time: time)
        }
        counts = (0..<k).map { a in (0..<k).map { b in trackers.reduce(0) { $0 + $1.transitions[a][b] } } }
        residence = (0..<k).map { a in trackers.reduce(0.0) { $0 + $1.residence[a] } }
        totalTime = trackers.reduce(0.0) { $0 + $1.totalTime }
    }

    /// The row of `quantity` from `from` to `to` ("any" for `k_A`).
    public func row(_ quantity: Quantity, from: String, to: String) -> Row? {
        rows.first { $0.quantity == quantity && $0.from == from && $0.to == to }
    }

    /// Linear-interpolation quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = q * Double(sorted.count - 1)
        let i = Int(h.rounded(.down)), j = min(i + 1, sorted.count - 1)
        return sorted[i] + (h - Double(i)) * (sorted[j] - sorted[i])
    }
}
