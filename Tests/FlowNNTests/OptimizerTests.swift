import XCTest
import FlowLinalg
@testable import FlowNN

/// Optimizer updates against hand-computed steps of the published algorithms, schedules against
/// their closed forms, and clipping.
final class OptimizerTests: XCTestCase {
    func scalarParameter(_ v: Double, decays: Bool = true) -> Parameter {
        Parameter(name: "θ", rows: 1, cols: 1, values: [v], decays: decays)
    }

    func testAdamFirstTwoStepsMatchKingmaBa() {
        let p = scalarParameter(1)
        let adam = Adam(learningRate: 0.1)
        p.gradient[0] = 2
        adam.step([p])
        // m̂ = g, v̂ = g²: the first step is lr·g/(|g| + ε).
        XCTAssertEqual(p.values[0], 1 - 0.1 * 2 / (2 + 1e-8), accuracy: 1e-15)
        p.gradient[0] = -1
        adam.step([p])
        let m = 0.9 * (0.1 * 2) + 0.1 * -1, v = 0.999 * (0.001 * 4) + 0.001 * 1
        let mHat = m / (1 - 0.81), vHat = v / (1 - 0.999 * 0.999)
        XCTAssertEqual(p.values[0], 1 - 0.1 * 2 / (2 + 1e-8) - 0.1 * mHat / (vHat.squareRoot() + 1e-8), accuracy: 1e-14)
        XCTAssertEqual(adam.state.step, 2)
    }

    func testAdamWDecaysDecoupledAndCoupledDecayEntersTheGradient() {
        let p = scalarParameter(2), bias = scalarParameter(2, decays: false)
        let adamW = Adam(learningRate: 0.1, weightDecay: .decoupled(0.5))
        adamW.step([p, bias])   // zero gradients: only the decay acts, and only on decaying parameters
        XCTAssertEqual(p.values[0], 2 * (1 - 0.05), accuracy: 1e-15)
        XCTAssertEqual(bias.values[0], 2)
        let q = scalarParameter(2)
        let adam = Adam(learningRate: 0.1, weightDecay: .coupled(0.5))
        adam.step([q])          // gradient λθ = 1 > 0: a full first step of −lr
        XCTAssertEqual(q.values[0], 2 - 0.1 * 1 / (1 + 1e-8), accuracy: 1e-15)
    }

    func testSGDMomentumAndNesterovOnAQuadratic() {
        for (nesterov, expected) in [(false, [0.9, 0.72]), (true, [0.81, 0.5751])] {
            let p = scalarParameter(1)
            let sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: nesterov)
            for e in expected {
                p.gradient[0] = p.values[0]     // f = θ²/2
                sgd.step([p])
                XCTAssertEqual(p.values[0], e, accuracy: 1e-14)
            }
        }
    }

    func testAdamConvergesOnAQuadratic() {
        let p = Parameter(name: "x", rows: 1, cols: 3, values: [5, -4, 0.5])
        let adam = Adam(learningRate: 0.05)
        let target = [1.0, 2.0, -3.0]
        for _ in 0..<2000 {
            for i in 0..<3 { p.gradient[i] = 2 * (p.values[i] - target[i]) }
            adam.step([p])
        }
        for i in 0..<3 { XCTAssertEqual(p.values[i], target[i], accuracy: 1e-3) }
    }

    func testOptimizerStateRoundTripAndMismatch() throws {
        let p = Parameter(name: "x", rows: 2, cols: 2, values: [1, 2, 3, 4])
        let a = Adam(learningRate: 0.01)
        p.gradient.update(repeating: 0.5, count: 4)
        a.step([p])
        let b = Adam(learningRate: 0.01)
        try b.restore(a.state)
        XCTAssertEqual(b.state, a.state)
        XCTAssertThrowsError(try a.restore(OptimizerState(step: 1, buffers: [[0]])))
    }

    func testSchedules() {
        XCTAssertEqual(LearningRateSchedule.constant.rate(base: 0.3, epoch: 100), 0.3)
        XCTAssertEqual(LearningRateSchedule.step(every: 10, factor: 0.5).rate(base: 1, epoch: 25), 0.25)
        let multi = LearningRateSchedule.multiStep(milestones: [5, 8], factor: 0.1)
        XCTAssertEqual(multi.rate(base: 1, epoch: 4), 1)
        XCTAssertEqual(multi.rate(base: 1, epoch: 5), 0.1, accuracy: 1e-15)
        XCTAssertEqual(multi.rate(base: 1, epoch: 9), 0.01, accuracy: 1e-15)
        XCTAssertEqual(LearningRateSchedule.exponential(factor: 0.9).rate(base: 1, epoch: 3), 0.729, accuracy: 1e-15)
        let cosine = LearningRateSchedule.cosine(epochs: 10, minimum: 0.1)
        XCTAssertEqual(cosine.rate(base: 1, epoch: 0), 1, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(base: 1, epoch: 5), 0.55, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(base: 1, epoch: 10), 0.1, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(base: 1, epoch: 12), 0.1, accuracy: 1e-15)
    }

    func testGradientNormClipping() {
        let a = Parameter(name: "a", rows: 1, cols: 1, values: [0]), b = Parameter(name: "b", rows: 1, cols: 1, values: [0])
        a.gradient[0] = 3; b.gradient[0] = 4
        XCTAssertEqual(GradientClipping.clipNorm([a, b], maxNorm: 10), 5)
        XCTAssertEqual(a.gradients, [3])
        XCTAssertEqual(GradientClipping.clipNorm([a, b], maxNorm: 1), 5)
        XCTAssertEqual(a.gradients[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.gradients[0], 0.8, accuracy: 1e-6)
    }
}
