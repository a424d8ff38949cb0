import FlowLinalg

/// Per-epoch means of every loss term (weighted by batch size), their total, and the learning rate.
public struct LossHistory: Equatable, Sendable {
    /// Term names in the order of the loss closure, then "total".
    public private(set) var names: [String] = []
    /// One row per epoch, one column per name.
    public private(set) var training: [[Double]] = []
    /// Same layout; empty when there is no validation set.
    public private(set) var validation: [[Double]] = []
    public private(set) var learningRates: [Double] = []

    public init() {}

    public init(names: [String], training: [[Double]], validation: [[Double]], learningRates: [Double]) {
        self.names = names
        self.training = training
        self.validation = validation
        self.learningRates = learningRates
    }

    public var epochs: Int { training.count }

    mutating func append(names: [String], training t: [Double], validation v: [Double]?, learningRate: Double) {
        if self.names.isEmpty { self.names = names }
        precondition(self.names == names, "loss terms changed between epochs: \(self.names) vs \(names)")
        training.append(t)
        if let v { validation.append(v) }
        learningRates.append(learningRate)
    }

    /// The training losses as an epochs × names matrix (for the `/loss` dataset of a stage).
    public var trainingMatrix: Matrix { Self.matrix(training, cols: names.count) }
    public var validationMatrix: Matrix { Self.matrix(validation, cols: names.count) }

    static func matrix(_ rows: [[Double]], cols: Int) -> Matrix {
        Matrix(rows: rows.count, cols: cols, storage: rows.flatMap { $0 })
    }
}
