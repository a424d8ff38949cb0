import XCTest
@testable import FlowLinalg

final class RandomAndStatisticsTests: XCTestCase {
    func testRotationsAreOrthogonalAndUniform() {
        var rng = RandomSource(seed: 77)
        var meanR = Matrix(rows: 3, cols: 3)
        var zz = 0.0
        let m = 20_000
        for _ in 0..<m {
            let r = rng.rotation3D()
            XCTAssertEqual((r.multiplied(by: r, transposeOther: true) - Matrix.identity(3)).storage.map(abs).max()!, 0, accuracy: 1e-12)
            let det = r[0, 0] * (r[1, 1] * r[2, 2] - r[1, 2] * r[2, 1]) - r[0, 1] * (r[1, 0] * r[2, 2] - r[1, 2] * r[2, 0])
                + r[0, 2] * (r[1, 0] * r[2, 1] - r[1, 1] * r[2, 0])
            XCTAssertEqual(det, 1, accuracy: 1e-12)
            meanR = meanR + r
            zz += r[2, 2] * r[2, 2]
        }
        // Haar measure: E[R] = 0 and R·e_z uniform on the sphere, so E[(R_zz)²] = 1/3.
        XCTAssertLessThan((meanR * (1 / Double(m))).storage.map(abs).max()!, 0.02)
        XCTAssertEqual(zz / Double(m), 1.0 / 3, accuracy: 0.01)
        var angles = 0.0
        for _ in 0..<m { let r = rng.rotation2D(); angles += r[0, 0]; XCTAssertEqual(r[0, 0] * r[1, 1] - r[0, 1] * r[1, 0], 1, accuracy: 1e-12) }
        XCTAssertEqual(angles / Double(m), 0, accuracy: 0.02)
    }

    func testStreamsDoNotDependOnCreationOrder() {
        let base = RandomSource(seed: 9)
        var forward = base.streams(4).map { s -> UInt64 in var s = s; return s.next() }
        var backward = (0..<4).reversed().map { i -> UInt64 in var s = base.stream(i); return s.next() }
        backward.reverse()
        XCTAssertEqual(forward, backward)
        forward.sort()
        XCTAssertEqual(Set(forward).count, 4)
    }

    func testWeightedStatisticsAndHistograms() {
        let x = [1.0, 2, 3, 4], y = [2.0, 4, 6, 9]
        XCTAssertEqual(Statistics.mean(x), 2.5)
        XCTAssertEqual(Statistics.variance(x), 5.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(Statistics.mean(x, weights: [1, 1, 1, 3]), 3)
        XCTAssertEqual(Statistics.variance(x, weights: [1, 1, 1, 3]), (4 + 1 + 0 + 3) / 6.0, accuracy: 1e-15)
        XCTAssertEqual(Statistics.correlation(x, x.map { 3 - 2 * $0 }), -1, accuracy: 1e-15)
        let data = Matrix(rows: 4, cols: 2, storage: zip(x, y).flatMap { [$0, $1] })
        let c = Statistics.covarianceMatrix(data)
        XCTAssertEqual(c[0, 1], Statistics.covariance(x, y), accuracy: 1e-14)
        XCTAssertEqual(c[1, 1], Statistics.variance(y), accuracy: 1e-14)
        let cw = Statistics.covarianceMatrix(data, weights: [1, 2, 1, 2])
        XCTAssertEqual(cw[0, 1], Statistics.covariance(x, y, weights: [1, 2, 1, 2]), accuracy: 1e-14)
        let h = Histogram1D([0.1, 0.2, 0.6, 1.5, -1], bins: 2, lower: 0, upper: 1)
        XCTAssertEqual(h.counts, [2, 1])
        XCTAssertEqual(h.outside, 2)
        let h2 = Histogram2D(x: [0.1, 0.9, 0.9], y: [0.1, 0.1, 0.8], xAxis: GridAxis(lower: 0, upper: 1, count: 2),
                             yAxis: GridAxis(lower: 0, upper: 1, count: 2))
        XCTAssertEqual(h2.counts, [1, 0, 1, 1])
    }

    /// The last bin is closed: a range from the data's minimum and maximum keeps every sample,
    /// and a value just beyond it is outside.
    func testHistogramsCountTheUpperEdgeInTheLastBin() {
        let h = Histogram1D([0, 0.5, 1, 1.0000001], bins: 2, lower: 0, upper: 1, weights: [1, 2, 4, 8])
        XCTAssertEqual(h.counts, [1, 6])
        XCTAssertEqual(h.outside, 8)
        let axis = GridAxis(lower: 0, upper: 1, count: 2)
        let h2 = Histogram2D(x: [1, 0, 1, 0.2], y: [1, 1, 0.2, 1.5], xAxis: axis, yAxis: axis)
        XCTAssertEqual(h2.counts, [0, 1, 1, 1])
        XCTAssertEqual(h2.outside, 1)
    }

    /// F = −β⁻¹ ln p shifted to minimum 0, NaN for empty bins: densities 3, 3e⁻², 0 at β = 2
    /// give 0, 1, NaN.
    func testFreeEnergyFromDensity() {
        let f = Statistics.freeEnergy(density: [3, 3 * exp(-2), 0], beta: 2)
        XCTAssertEqual(f[0], 0)
        XCTAssertEqual(f[1], 1, accuracy: 1e-15)
        XCTAssertTrue(f[2].isNaN)
        XCTAssertTrue(Statistics.freeEnergy(density: [0, 0], beta: 1).allSatisfy(\.isNaN))
    }
}
