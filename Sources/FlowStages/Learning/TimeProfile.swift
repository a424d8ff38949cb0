/// A quantity of the training frames as a function of their normalized time: the mean over
/// frames (replicas, copies) sharing a time, linearly interpolated in between and held constant
/// beyond the ends. Used to pull generated frames towards what the data do at the same t.
struct TimeProfile {
    let times: [Double]
    /// One row of values per time.
    let values: [[Double]]

    /// Means of `rows` grouped by equal `times`.
    init(times t: [Double], rows: [[Double]]) {
        precondition(t.count == rows.count && !rows.isEmpty, "one row per time")
        var sums: [Double: ([Double], Int)] = [:]
        for (time, row) in zip(t, rows) {
            let (s, n) = sums[time] ?? ([Double](repeating: 0, count: row.count), 0)
            sums[time] = (zip(s, row).map { $0 + $1 }, n + 1)
        }
        times = sums.keys.sorted()
        values = times.map { time in sums[time]!.0.map { $0 / Double(sums[time]!.1) } }
    }

    func callAsFunction(_ t: Double) -> [Double] {
        guard t > times[0] else { return values[0] }
        guard t < times[times.count - 1] else { return values[times.count - 1] }
        var hi = 1
        while times[hi] < t { hi += 1 }
        let lo = hi - 1, w = (t - times[lo]) / (times[hi] - times[lo])
        return zip(values[lo], values[hi]).map { (1 - w) * $0 + w * $1 }
    }
}
