import XCTest
import FlowLinalg
@testable import FlowNN

/// The orthogonal-CV loss with its decoder and MEP terms: gradients with respect to both
/// networks' weights and to the inputs against central differences, and the values of the new
/// terms against a direct evaluation.
final class OrthogonalCVLossTests: XCTestCase {
    struct Problem {
        let xi: MLP, decoder: MLP
        let x: Matrix, normals: Matrix, targets: Matrix, scale: [Double]
        let path: OrthogonalCVLoss.Path
    }

    func problem() -> Problem {
        var rng = RandomSource(seed: 21)
        let xi = MLP(sizes: [4, 6, 5, 2], activation: .elu, rng: &rng)
        xi.inputNormalization = Normalization(shift: [0.1, -0.3, 0.2, 0], scale: [1.2, 0.8, 1.5, 0.9])
        for b in xi.biases { b.values = b.values.map { _ in 0.3 * rng.normal() } }
        let decoder = OrthogonalCVLoss.mirroredDecoder(of: xi, outputs: 3, rng: &rng)
        decoder.outputNormalization = Normalization(shift: [0.2, -0.1, 0.4], scale: [0.7, 1.3, 0.5])
        for b in decoder.biases { b.values = b.values.map { _ in 0.3 * rng.normal() } }
        let path = OrthogonalCVLoss.Path(points: GradientCheck.random(5, 4, &rng), arclength: [0, 0.3, 0.5, 0.9, 1.4])
        return Problem(xi: xi, decoder: decoder, x: GradientCheck.random(6, 4, &rng), normals: GradientCheck.random(6, 4, &rng),
                       targets: GradientCheck.random(6, 3, &rng), scale: [0.7, 1.3, 0.5], path: path)
    }

    func testTheDecoderMirrorsTheEncoder() {
        let p = problem()
        XCTAssertEqual(p.decoder.sizes, [2, 5, 6, 3])
        XCTAssertEqual(p.decoder.activations, [.elu, .elu, .identity])
    }

    func testGradientsOfEveryTermAgainstFiniteDifferences() {
        let p = problem()
        for loss in [OrthogonalCVLoss(theta1: 0, theta2: 0, reconstruction: 1.7), OrthogonalCVLoss(theta1: 0, theta2: 0, mep: 2.3),
                     OrthogonalCVLoss(theta1: 0.8, theta2: 0.3, reconstruction: 1.1, mep: 0.6, squaredCosine: true)] {
            func total(_ tape: Tape, x: Variable, targets: Variable) -> Variable {
                let terms = loss.terms(xi: p.xi, decoder: p.decoder, x: x, normals: tape.constant(p.normals), targets: targets,
                                       scale: p.scale, path: p.path)
                return terms.dropFirst().reduce(terms[0].value) { $0 + $1.value }
            }
            GradientCheck.checkParameters(p.xi.parameters + p.decoder.parameters) { t in
                total(t, x: t.constant(p.x), targets: t.constant(p.targets))
            }
            GradientCheck.check([p.x, p.targets]) { t, v in total(t, x: v[0], targets: v[1]) }
        }
    }

    func testReconstructionAndMEPValues() {
        let p = problem()
        let tape = Tape()
        let terms = OrthogonalCVLoss(theta1: 0, theta2: 0, reconstruction: 2, mep: 3)
            .terms(xi: p.xi, decoder: p.decoder, x: tape.constant(p.x), normals: tape.constant(p.normals),
                   targets: tape.constant(p.targets), scale: p.scale, path: p.path)
        XCTAssertEqual(terms.map(\.name), ["reconstruction", "mep"])
        let evaluator = MLPEvaluator(p.xi), back = MLPEvaluator(p.decoder)
        var squares = 0.0
        for i in 0..<p.x.rows {
            let rebuilt = back.value(at: evaluator.value(at: p.x.row(i)))
            for l in 0..<3 { squares += pow((rebuilt[l] - p.targets[i, l]) / p.scale[l], 2) }
        }
        XCTAssertEqual(tape.scalar(terms[0].value), 2 * squares / Double(p.x.rows * 3), accuracy: 1e-12)
        var mep = 0.0
        for i in 0..<p.path.points.rows { mep += pow(evaluator.value(at: p.path.points.row(i))[0] - p.path.arclength[i], 2) }
        XCTAssertEqual(tape.scalar(terms[1].value), 3 * mep / 5, accuracy: 1e-12)
    }
}
