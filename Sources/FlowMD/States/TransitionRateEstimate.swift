import FlowLinalg

/// Brute-force rates from core-set trackers of independent walkers:
/// - escape rate k_A = (transitions out of A into any other core) / (time with A as the last core),
///   the inverse mean first-passage time from A to the other cores;
/// - reactive flux ν_AB = (reactive A→B events) / (total time), the TPT rate of A→B transition
///   paths (E & Vanden-Eijnden 2006; Vanden-Eijnden, "Transition path theory", 2014).
/// Pooled over walkers (ratio of sums), with percentile-bootstrap confidence intervals from
/// resampling whole walkers (Efron & Tibshirani 1993), which respects the independence structure
/// of the data: events within a walker are correlated, walkers are not.
public struct TransitionRateEstimate: Sendable {
    public struct Row: Sendable, Equatable {
        public var from: String
        public var to: String
        /// "escape" or "flux".
        public var kind: String
        public var rate: Double
        public var low: Double
        public var high: Double
        public var events: Int
    }

    public var rows: [Row]
    /// Pooled core-to-core transition counts.
    public var counts: [[Int]]
    /// Pooled time with each state as the last core.
    public var residence: [Double]

    /// `confidence` e.g. 0.95; needs at least two walkers for an interval.
    public init(trackers: [CoreSetTracker], names: [String], confidence: Double, resamples: Int, random: inout RandomSource) {
        let k = names.count
        let exits = trackers.map { t in (0..<k).map { a in t.transitions[a].reduce(0, +) } }
        let stats: [(kind: String, from: Int, to: Int, events: (Int) -> Int, time: (Int) -> Double)] =
            (0..<k).map { a in ("escape", a, -1, { exits[$0][a] }, { trackers[$0].residence[a] }) }
            + (0..<k).flatMap { a in (0..<k).filter { $0 != a }.map { b in
                ("flux", a, b, { trackers[$0].reactive[a][b] }, { trackers[$0].totalTime })
            } }
        let n = trackers.count
        let draws = (0..<resamples).map { _ in (0..<n).map { _ in random.index(below: n) } }
        rows = stats.map { s in
            let events = (0..<n).reduce(0) { $0 + s.events($1) }
            let time = (0..<n).reduce(0.0) { $0 + s.time($1) }
            var low = Double.nan, high = Double.nan
            if n >= 2 && resamples > 0 {
                let boot = draws.map { d -> Double in
                    let e = d.reduce(0) { $0 + s.events($1) }, t = d.reduce(0.0) { $0 + s.time($1) }
                    return t > 0 ? Double(e) / t : 0
                }.sorted()
                low = Self.quantile(boot, (1 - confidence) / 2)
                high = Self.quantile(boot, (1 + confidence) / 2)
            }
            return Row(from: names[s.from], to: s.to < 0 ? "any" : names[s.to], kind: s.kind,
                       rate: time > 0 ? Double(events) / time : 0, low: low, high: high, events: events)
        }
        counts = (0..<k).map { a in (0..<k).map { b in trackers.reduce(0) { $0 + $1.transitions[a][b] } } }
        residence = (0..<k).map { a in trackers.reduce(0.0) { $0 + $1.residence[a] } }
    }

    /// Linear-interpolation quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = q * Double(sorted.count - 1)
        let i = Int(h.rounded(.down)), j = min(i + 1, sorted.count - 1)
        return sorted[i] + (h - Double(i)) * (sorted[j] - sorted[i])
    }
}
