import Foundation
import XCTest
import FlowLinalg
@testable import FlowMD

/// The vectorized kernels: the kernel exp against libm, and the batched potential paths against single
/// evaluations (bit for bit, whatever the batch size, so results do not depend on threads).
final class VectorKernelTests: XCTestCase {
    func testKernelExp2MatchesFoundation() {
        var rng = RandomSource(seed: 11)
        var worst = 0.0
        for i in 0..<160_000 {
            let t = i % 2 == 0 ? rng.uniform(-1022, 1023) : rng.uniform(-40, 8)
            worst = max(worst, abs(KernelExp.exp2(t) - Foundation.exp2(t)) / Foundation.exp2(t))
        }
        print("kernel exp: largest relative error \(worst)")
        XCTAssertLessThan(worst, 1e-15)
    }

    func testKernelExp2Edges() {
        XCTAssertEqual(KernelExp.exp2(0), 1)
        for n in -1022...1023 { XCTAssertEqual(KernelExp.exp2(Double(n)), Foundation.exp2(Double(n)), "2^\(n)") }
        XCTAssertEqual(KernelExp.exp2(-1023), 0)
        XCTAssertEqual(KernelExp.exp2(-.infinity), 0)
        XCTAssertEqual(KernelExp.exp2(1024), .infinity)
        XCTAssertEqual(KernelExp.exp2(.infinity), .infinity)
        XCTAssertEqual(KernelExp.exp2(1e300), .infinity)
        XCTAssertTrue(KernelExp.exp2(.nan).isNaN)
    }

    /// Energies and gradients of `count` random configurations, batched vs one by one.
    func checkBatchMatchesSingle(_ potential: any Potential, spread: Double, around center: [Double]) {
        var rng = RandomSource(seed: 2)
        let d = potential.dimension
        for count in [1, 3, 4, 7, 8, 13, 32] {
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
