import XCTest
import Foundation
import FlowLinalg
@testable import FlowNN

/// A CV problem with a known answer: samples near half a unit cylinder in ℝ³, whose normal at x is
/// (x, y, 0)/r. A CV ξ: ℝ³ → ℝ² trained on the orthogonality and orthonormality losses must end up
/// with rows of J_ξ tangent to the cylinder and orthonormal — what (angle, z) achieves exactly.
final class SyntheticCVTests: XCTestCase {
    func testLearnedCVIsOrthogonalToTheNormalsAndOrthonormal() throws {
        var rng = RandomSource(seed: 17)
        let n = 1500
        var x = Matrix(rows: n, cols: 3), normals = Matrix(rows: n, cols: 3)
        for i in 0..<n {
            let angle = Double.pi * rng.uniform(), r = 1 + 0.01 * rng.normal()
            x[i, 0] = r * cos(angle); x[i, 1] = r * sin(angle); x[i, 2] = rng.uniform(-1, 1)
            normals[i, 0] = cos(angle); normals[i, 1] = sin(angle)
        }
        let xi = MLP(sizes: [3, 32, 32, 2], activation: .tanh, rng: &rng)
        var options = TrainingOptions(epochs: 400, batchSize: 100)
        options.schedule = .cosine(epochs: 400, minimum: 1e-4)
        let trainer = Trainer(parameters: xi.parameters, optimizer: Adam(learningRate: 3e-3), options: options,
                              sampleCount: n, seed: 3)
        try trainer.train { tape, batch in
            let (_, j) = xi.jacobian(tape.constant(rowsOf: x, batch))
            return [LossTerm("orthogonality", JacobianLoss.orthogonality(j, normals: tape.constant(rowsOf: normals, batch),
                                                                         outputs: 2, squared: true)),
                    LossTerm("orthonormality", JacobianLoss.orthonormality(j, outputs: 2))]
        }
        // Diagnostics on the data, from the tape-free evaluator (an independent code path).
        let evaluator = MLPEvaluator(xi)
        var cosine = 0.0, deviation = 0.0
        for i in 0..<n {
            let j = evaluator.valueAndJacobian(at: x.row(i)).jacobian
            var jv2 = 0.0, j2 = 0.0
            for k in 0..<2 {
                let jv = (0..<3).reduce(0.0) { $0 + j[k, $1] * normals[i, $1] }
                jv2 += jv * jv
                j2 += (0..<3).reduce(0.0) { $0 + j[k, $1] * j[k, $1] }
            }
            cosine += (jv2 / j2).squareRoot() / Double(n)
            var frob = 0.0
            for p in 0..<2 {
                for q in 0..<2 {
                    let g = (0..<3).reduce(0.0) { $0 + j[p, $1] * j[q, $1] } - (p == q ? 1 : 0)
                    frob += g * g
                }
            }
            deviation += frob.squareRoot() / Double(n)
        }
        XCTAssertLessThan(cosine, 0.05, "mean ‖J v‖ / (‖J‖_F ‖v‖)")
        XCTAssertLessThan(deviation, 0.05, "mean ‖J Jᵀ − I‖_F")
    }
}
