/// One named, already weighted term of a training loss (a 1 × 1 variable). The trainer minimizes
/// the sum of the terms a loss closure returns and records each term separately.
public struct LossTerm {
    public let name: String
    public let value: Variable

    public init(_ name: String, _ value: Variable) {
        precondition(value.count == 1, "loss term '\(name)' must be 1×1, got \(value.rows)×\(value.cols)")
        self.name = name
        self.value = value
    }
}

/// Records the loss of a minibatch: the rows `batch` (indices into the caller's data set) on `tape`.
public typealias LossFunction = (_ tape: Tape, _ batch: [Int]) throws -> [LossTerm]
