/// Thrown when a loss term or a gradient becomes NaN or ±∞ (DESIGN.md §9): training stops at once
/// and says where.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public enum Quantity: Equatable, Sendable {
        case loss
        /// The gradient of this term with respect to the named parameter.
        case gradient(parameter: String)
    }

    /// 1-based epoch.
    public let epoch: Int
    /// 1-based minibatch within the epoch; nil during validation.
    public let batch: Int?
    public let term: String
    public let quantity: Quantity
    public let value: Double

    public var description: String {
        let place = batch.map { "epoch \(epoch), batch \($0)" } ?? "epoch \(epoch), validation"
        switch quantity {
        case .loss:
            return "training diverged at \(place): loss term '\(term)' is \(value)"
        case .gradient(let p):
            return "training diverged at \(place): gradient of loss term '\(term)' with respect to \(p) is \(value)"
        }
    }
}
