import XCTest
import FlowLinalg
@testable import FlowMD

/// The block evaluator of the sorted coordination numbers (four configurations per SIMD vector,
/// a sorting network) against the single-configuration CV: values, and the pullback of random
/// cotangents against g + Jᵀc, on a block that does not fill its last vector and on
/// configurations whose coordination numbers tie exactly, where only the order (cᵢ, i) assigns
/// each cotangent to the right particle.
final class SortedCoordinationBatchTests: XCTestCase {
    func testBlockEqualsSingleConfigurationsIncludingTies() {
        var rng = RandomSource(seed: 23)
        let cv = SortedCoordinationNumbers(layout: .planar(particles: 7))
        var configurations: [[Double]] = (0..<9).map { _ in
            var x = [Double](repeating: 0, count: 14)
            for p in 1..<7 {
                x[p] = 1.12 * cos(Double(p) * Double.pi / 3) + 0.1 * rng.normal()
                x[7 + p] = 1.12 * sin(Double(p) * Double.pi / 3) + 0.1 * rng.normal()
            }
            return x
        }
        // Particle 6 on top of particle 5: c₅ and c₆ sum the same terms in the same order, an exact tie.
        for k in 0..<2 {
            var x = configurations[k]
            x[6] = x[5]
            x[13] = x[12]
            configurations.append(x)
        }
        let count = configurations.count
        let ties = cv.value(configurations[count - 1])
        XCTAssertLessThan(Set(ties).count, 7, "two coordination numbers tie")
        let block = cv.batchEvaluator()
        var values = [Double](repeating: .nan, count: count * 7)
        configurations.flatMap { $0 }.withUnsafeBufferPointer { block.evaluate($0.baseAddress!, count: count, values: &values) }
        let cotangents = (0..<(count * 7)).map { _ in rng.normal() }
        let start = (0..<(count * 14)).map { _ in rng.normal() }
        var gradients = start
        block.pullback(cotangents, addingTo: &gradients)
        var jacobian = [Double](repeating: 0, count: 7 * 14)
        for k in 0..<count {
            let v = cv.value(configurations[k], jacobian: &jacobian)
            for c in 0..<7 { XCTAssertEqual(values[k * 7 + c], v[c], accuracy: 1e-14 * abs(v[c]), "configuration \(k)") }
            for i in 0..<14 {
                let expected = start[k * 14 + i] + (0..<7).reduce(0.0) { $0 + cotangents[k * 7 + $1] * jacobian[$1 * 14 + i] }
                XCTAssertEqual(gradients[k * 14 + i], expected, accuracy: 1e-12 * max(1, abs(expected)), "configuration \(k) coordinate \(i)")
            }
        }
    }
}
