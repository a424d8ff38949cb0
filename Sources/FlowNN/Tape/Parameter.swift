import FlowLinalg

/// A trainable matrix (a layer's weights or bias) with its gradient buffer.
///
/// Storage is allocated once and never moves, so a `Tape` can read the values and accumulate the
/// gradient in place, without copying weights into every training step.
public final class Parameter {
    public let name: String
    public let rows: Int
    public let cols: Int
    /// Whether weight decay applies (true for weights, false for biases, as is customary).
    public var decays: Bool
    let value: UnsafeMutablePointer<Double>
    let gradient: UnsafeMutablePointer<Double>

    public init(name: String, rows: Int, cols: Int, values: [Double], decays: Bool = true) {
        precondition(values.count == rows * cols, "parameter \(name): \(values.count) values for \(rows)×\(cols)")
        self.name = name
        self.rows = rows
        self.cols = cols
        self.decays = decays
        value = .allocate(capacity: Swift.max(1, rows * cols))
        gradient = .allocate(capacity: Swift.max(1, rows * cols))
        values.withUnsafeBufferPointer { value.update(from: $0.baseAddress!, count: values.count) }
        gradient.update(repeating: 0, count: rows * cols)
    }

    deinit {
        value.deallocate()
        gradient.deallocate()
    }

    public var count: Int { rows * cols }

    /// A copy of the values; setting copies them in (same count).
    public var values: [Double] {
        get { Array(UnsafeBufferPointer(start: value, count: count)) }
        set {
            precondition(newValue.count == count, "parameter \(name): wrong number of values")
            newValue.withUnsafeBufferPointer { value.update(from: $0.baseAddress!, count: count) }
        }
    }

    /// A copy of the gradient of the last `Tape.backward`.
    public var gradients: [Double] {
        Array(UnsafeBufferPointer(start: gradient, count: count))
    }

    public var matrix: Matrix { Matrix(rows: rows, cols: cols, storage: values) }
}
