import FlowCore
import FlowNN

/// `training.schedule:` — PyTorch's StepLR / MultiStepLR / ExponentialLR / CosineAnnealingLR,
/// stepped once per epoch (`LearningRateSchedule`).
struct ScheduleSpec: Decodable, Equatable {
    enum Kind: String, ParameterEnum {
        case constant, step
        case multiStep = "multi-step"
        case exponential, cosine
    }

    var kind: Kind
    var every: Int
    var milestones: [Int]
    var factor: Double
    var minimum: Double

    enum CodingKeys: String, CodingKey { case kind, every, milestones, factor, minimum }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        kind = try p(.kind, default: .constant,
                     help: "constant; step: × factor every `every` epochs; multi-step: × factor at each milestone; exponential: × factor per epoch; cosine: down to `minimum` at the last epoch")
        every = try p(.every, default: 100, in: .atLeast(1), help: "step: epochs between decays")
        milestones = try p(.milestones, default: [], help: "multi-step: epochs (0-based, increasing) at which the rate is multiplied by factor")
        factor = try p(.factor, default: 0.5, in: .halfOpen(0, 1), help: "step, multi-step, exponential: decay factor")
        minimum = try p(.minimum, default: 0, in: .nonNegative, help: "cosine: final learning rate")
        try p.check(kind != .multiStep || (!milestones.isEmpty && zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }),
                    .milestones, "multi-step needs increasing milestones")
    }

    func schedule(epochs: Int) -> LearningRateSchedule {
        switch kind {
        case .constant: return .constant
        case .step: return .step(every: every, factor: factor)
        case .multiStep: return .multiStep(milestones: milestones, factor: factor)
        case .exponential: return .exponential(factor: factor)
        case .cosine: return .cosine(epochs: epochs, minimum: minimum)
        }
    }
}
