import Foundation

/// The learning rate as a function of the epoch (0-based), applied at the start of each epoch
/// (PyTorch's `StepLR`, `MultiStepLR`, `ExponentialLR`, `CosineAnnealingLR` stepped per epoch).
public enum LearningRateSchedule: Equatable, Codable, Sendable {
    case constant
    /// η₀ · factor^⌊epoch / every⌋.
    case step(every: Int, factor: Double)
    /// η₀ · factor^(number of milestones ≤ epoch).
    case multiStep(milestones: [Int], factor: Double)
    /// η₀ · factor^epoch.
    case exponential(factor: Double)
    /// η_min + (η₀ − η_min)(1 + cos(π·epoch/epochs))/2, then η_min (Loshchilov & Hutter, "SGDR",
    /// 2017, without restarts).
    case cosine(epochs: Int, minimum: Double)

    public func rate(base: Double, epoch: Int) -> Double {
        switch self {
        case .constant:
            return base
        case let .step(every, factor):
            return base * pow(factor, Double(epoch / Swift.max(every, 1)))
        case let .multiStep(milestones, factor):
            return base * pow(factor, Double(milestones.filter { $0 <= epoch }.count))
        case let .exponential(factor):
            return base * pow(factor, Double(epoch))
        case let .cosine(epochs, minimum):
            let e = Double(Swift.min(epoch, epochs))
            return minimum + (base - minimum) * (1 + cos(Double.pi * e / Double(Swift.max(epochs, 1)))) / 2
        }
    }
}
