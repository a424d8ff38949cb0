import Foundation
import XCTest
import FlowLinalg
@testable import FlowMD

/// The SIMD kernels: the vector exp against libm, and the batched potential paths against single
/// evaluations (bit for bit, whatever the batch size, so results do not depend on threads).
final class VectorKernelTests: XCTestCase {
    func testVectorExpMatchesFoundation() {
        var rng = RandomSource(seed: 11)
        var worst = 0.0
        for _ in 0..<20_000 {
            var x = VectorExp.Lanes()
            for l in 0..<x.scalarCount { x[l] = rng.uniform(-708, 709) }
            let e = VectorExp.exp(x)
            for l in 0..<x.scalarCount { worst = max(worst, abs(e[l] - Foundation.exp(x[l])) / Foundation.exp(x[l])) }
        }
        for _ in 0..<20_000 {
            var x = VectorExp.Lanes()
            for l in 0..<x.scalarCount { x[l] = rng.uniform(-30, 5) }
            let e = VectorExp.exp(x)
            for l in 0..<x.scalarCount { worst = max(worst, abs(e[l] - Foundation.exp(x[l])) / Foundation.exp(x[l])) }
        }
        print("vector exp: largest relative error \(worst)")
        XCTAssertLessThan(worst, 1e-15)
    }

    func testVectorExpEdges() {
        var x = VectorExp.Lanes(repeating: 0)
        x[1] = -1000
        x[2] = 1000
        x[3] = .nan
        let e = VectorExp.exp(x)
        XCTAssertEqual(e[0], 1)
        XCTAssertEqual(e[1], 0)
        XCTAssertEqual(e[2], .infinity)
        XCTAssertTrue(e[3].isNaN)
    }

    /// Energies and gradients of `count` random configurations, batched vs one by one.
    func checkBatchMatchesSingle(_ potential: any Potential, spread: Double, around center: [Double]) {
        var rng = RandomSource(seed: 2)
        let d = potential.dimension
        for count in [1, 3, 4, 7, 8, 13] {
            let x = (0..<count).flatMap { _ in center.map { $0 + spread * rng.normal() } }
            var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: count * d)
            potential.energies(x, count: count, energies: &e, gradients: &g)
            for k in 0..<count {
                var gk = [Double](repeating: 0, count: d)
                let ek = potential.energy(Array(x[(k * d)..<((k + 1) * d)]), gradient: &gk)
                XCTAssertEqual(ek.bitPattern, e[k].bitPattern, "energy of configuration \(k) of \(count)")
                XCTAssertEqual(gk, Array(g[(k * d)..<((k + 1) * d)]), "gradient of configuration \(k) of \(count)")
            }
        }
    }

    func testMuellerBrownBatchIsBitIdentical() {
        checkBatchMatchesSingle(MuellerBrown(), spread: 0.5, around: [-0.5, 1.0])
    }

    func testLennardJonesBatchIsBitIdentical() {
        let lj = LennardJonesCluster2D()
        checkBatchMatchesSingle(lj, spread: 0.2, around: LennardJonesMinima.minima(of: lj)["trapezoid"]!)
    }
}
