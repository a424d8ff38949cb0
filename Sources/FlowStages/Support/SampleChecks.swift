import FlowLinalg

/// What every stage requires of samples and reweighting weights, whether they come from a user's
/// file (`load`) or from another stage's output: a diffusion map, a histogram or a network fit
/// turns a single NaN into NaN everywhere, and a negative weight into a signed "density". The
/// problems are phrased so that the caller can prefix where the data came from.
enum SampleChecks {
    /// Why `m` cannot be used as samples (empty, or a non-finite value with its row and column),
    /// or nil when it can.
    static func samplesProblem(_ m: Matrix) -> String? {
        guard m.rows > 0, m.cols > 0 else { return "is empty (\(m.rows) × \(m.cols))" }
        if let bad = m.storage.firstIndex(where: { !$0.isFinite }) {
            return "has a non-finite value (\(m.storage[bad])) at row \(bad / m.cols), column \(bad % m.cols)"
        }
        return nil
    }

    /// Why `w` cannot be reweighting weights (a non-finite or negative entry with its index, or
    /// all zero), or nil when it can.
    static func weightsProblem(_ w: [Double]) -> String? {
        if let bad = w.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            return "has weight \(w[bad]) at row \(bad); weights must be finite and non-negative"
        }
        guard w.contains(where: { $0 > 0 }) else { return "has only zero weights; at least one must be positive" }
        return nil
    }
}
