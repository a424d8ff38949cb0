import XCTest
@testable import FlowAnalysis
import FlowLinalg

final class FreeEnergyEstimationTests: XCTestCase {
    /// Samples on a regular lattice of `perCell` points per cell and axis, offset by `shift` cells,
    /// with Boltzmann weights e^{−βF}: exact weighted samples of π ∝ e^{−βF} in the quadrature sense.
    func latticeSamples(_ axes: [GridAxis], perCell: Int, shift: Double = 0, beta: Double,
                        _ f: ([Double]) -> Double) -> (Matrix, [Double]) {
        let fine = axes.map { a in (0..<(a.count * perCell)).map { a.lower + (Double($0) + 0.5 + shift * Double(perCell)) * a.spacing / Double(perCell) } }
        let points: [[Double]] = axes.count == 1 ? fine[0].map { [$0] } : fine[0].flatMap { x in fine[1].map { [x, $0] } }
        return (Matrix(points), points.map { exp(-beta * f($0)) })
    }

    /// −β⁻¹ ln of the mean of e^{−βF} over each cell by the midpoint rule on `n` points per axis,
    /// shifted to min 0: what a histogram of exact samples converges to.
    func cellAverages(_ axes: [GridAxis], n: Int, beta: Double, _ f: ([Double]) -> Double) -> [Double] {
        let values = cellCentres(axes).map { centre -> Double in
            let offsets = (0..<n).map { (Double($0) + 0.5) / Double(n) - 0.5 }
            var sum = 0.0
            if axes.count == 1 {
                for u in offsets { sum += exp(-beta * f([centre[0] + u * axes[0].spacing])) }
                return -log(sum / Double(n)) / beta
            }
            for u in offsets { for v in offsets { sum += exp(-beta * f([centre[0] + u * axes[0].spacing, centre[1] + v * axes[1].spacing])) } }
            return -log(sum / Double(n * n)) / beta
        }
        let lowest = values.min()!
        return values.map { $0 - lowest }
    }

    func testWeightedHistogramRecoversKnownFreeEnergy() throws {
        // Periodic 1D: the lattice is shifted by a third of a cell, so its last points lie beyond
        // `upper` and must wrap to the first cells.
        let beta = 2.0
        let dihedral = { (z: [Double]) in cos(3 * z[0]) + 0.5 * cos(z[0]) }
        let ring = GridAxis(lower: -.pi, upper: .pi, count: 36, periodic: true)
        let (s1, w1) = latticeSamples([ring], perCell: 300, shift: 1.0 / 3, beta: beta, dihedral)
        let f1 = try FreeEnergyEstimation.histogram(samples: s1, weights: w1, axes: [ring], beta: beta)
        let ref1 = cellAverages([ring], n: 1000, beta: beta, dihedral)
        let e1 = zip(f1, ref1).map { abs($0 - $1) }.max()!
        // 2D, non-periodic.
        let axes = [GridAxis(lower: -2, upper: 2, count: 20), GridAxis(lower: -1.5, upper: 2, count: 14)]
        let well = { (z: [Double]) in (z[0] * z[0] - 1) * (z[0] * z[0] - 1) + 0.5 * (z[1] - 0.3 * z[0]) * (z[1] - 0.3 * z[0]) }
        let (s2, w2) = latticeSamples(axes, perCell: 24, beta: beta, well)
        let f2 = try FreeEnergyEstimation.histogram(samples: s2, weights: w2, axes: axes, beta: beta)
        let ref2 = cellAverages(axes, n: 200, beta: beta, well)
        let e2 = zip(f2, ref2).map { abs($0 - $1) }.max()!
        print("histogram: max |F − F_ref| periodic 1D \(e1), 2D \(e2)")
        XCTAssertLessThan(e1, 1e-4)
        // The 24-point lattice is itself a midpoint rule: O((h/24)²·|∇βF|²) where F is steep.
        XCTAssertLessThan(e2, 3e-3)
        // And the cell averages are F at the centres up to O(h²·|∇βF|²/β) where F is low (at the
        // edges, βF changes by ~10 across a cell and the average is dominated by its low side).
        let centres = cellValues(axes, well), lowest = centres.min()!
        let low = (0..<centres.count).filter { centres[$0] - lowest < 1.5 }
        XCTAssertLessThan(low.map { abs(f2[$0] - (centres[$0] - lowest)) }.max()!, 0.05)
    }

    func testKernelDensityOfGaussianIsTheSmoothedGaussian() throws {
        // F = ½ zᵀAz: π = N(0, Σ), Σ = A⁻¹/β. The Gaussian KDE with bandwidths S = diag(σ²) estimates
        // N(0, Σ + S), so F̂(z) = ½β⁻¹ zᵀ(Σ + S)⁻¹z + const.
        let beta = 1.5
        let a = [[2.0, 0.6], [0.6, 1.0]]
        let det = a[0][0] * a[1][1] - a[0][1] * a[0][1]
        let sigma = [[a[1][1] / det / beta, -a[0][1] / det / beta], [-a[0][1] / det / beta, a[0][0] / det / beta]]
        let sd = [sigma[0][0].squareRoot(), sigma[1][1].squareRoot()]
        let f = { (z: [Double]) in 0.5 * (a[0][0] * z[0] * z[0] + 2 * a[0][1] * z[0] * z[1] + a[1][1] * z[1] * z[1]) }
        let sampleAxes = sd.map { GridAxis(lower: -7 * $0, upper: 7 * $0, count: 140) }
        let (samples, weights) = latticeSamples(sampleAxes, perCell: 1, beta: beta, f)
        let axes = sd.map { GridAxis(lower: -2.5 * $0, upper: 2.5 * $0, count: 25) }
        let bandwidth = sd.map { 0.3 * $0 }
        let estimate = try FreeEnergyEstimation.kernelDensity(samples: samples, weights: weights, axes: axes, bandwidth: bandwidth, beta: beta)
        var c = sigma
        c[0][0] += bandwidth[0] * bandwidth[0]
        c[1][1] += bandwidth[1] * bandwidth[1]
        let cd = c[0][0] * c[1][1] - c[0][1] * c[1][0]
        let expected = cellValues(axes) { z in (c[1][1] * z[0] * z[0] - 2 * c[0][1] * z[0] * z[1] + c[0][0] * z[1] * z[1]) / cd / (2 * beta) }
        let differences = zip(estimate, expected).map { $0 - $1 }
        let spread = differences.max()! - differences.min()!
        print("KDE: spread of F̂ − F_smoothed = \(spread)")
        XCTAssertLessThan(spread, 1e-3)

        // Periodic: a uniform sample on the circle gives a flat F only if the kernel wraps.
        let ring = GridAxis(lower: 0, upper: 1, count: 20, periodic: true)
        let uniform = Matrix(rows: 400, cols: 1, storage: (0..<400).map { (Double($0) + 0.5) / 400 })
        let flat = try FreeEnergyEstimation.kernelDensity(samples: uniform, axes: [ring], bandwidth: [0.04], beta: 1)
        XCTAssertLessThan(flat.max()!, 1e-9)
    }

    func testMeanForceIntegrationRecoversKnownFreeEnergy() throws {
        /// Largest deviation of the integrated F from the exact one, up to a constant.
        func error(_ axes: [GridAxis], missing: ([Double]) -> Bool = { _ in false },
                   _ f: ([Double]) -> Double, _ grad: ([Double]) -> [Double]) throws -> Double {
            let centres = cellCentres(axes)
            let g = Matrix(centres.map { missing($0) ? [Double](repeating: .nan, count: axes.count) : grad($0) })
            let estimate = try FreeEnergyEstimation.integrateMeanForce(g, axes: axes)
            XCTAssertEqual(estimate.filter { !$0.isNaN }.min()!, 0)
            let d = zip(estimate, centres).compactMap { $0.isNaN ? nil : $0 - f($1) }
            XCTAssertEqual(d.count, centres.filter { !missing($0) }.count)
            return d.max()! - d.min()!
        }
        // 1D interval and 1D ring.
        let f1 = { (z: [Double]) in sin(2 * z[0]) + z[0] * z[0] / 2 }, g1 = { (z: [Double]) in [2 * cos(2 * z[0]) + z[0]] }
        let e1 = try error([GridAxis(lower: -2, upper: 2, count: 80)], f1, g1)
        let e1Fine = try error([GridAxis(lower: -2, upper: 2, count: 160)], f1, g1)
        let f2 = { (z: [Double]) in cos(3 * z[0]) + 0.5 * cos(z[0]) }, g2 = { (z: [Double]) in [-3 * sin(3 * z[0]) - 0.5 * sin(z[0])] }
        let e2 = try error([GridAxis(lower: -.pi, upper: .pi, count: 72, periodic: true)], f2, g2)
        let e2Fine = try error([GridAxis(lower: -.pi, upper: .pi, count: 144, periodic: true)], f2, g2)
        // 2D with a hole of missing windows, and 2D with a periodic second axis.
        let f3 = { (z: [Double]) in (z[0] * z[0] - 1) * (z[0] * z[0] - 1) + 0.5 * (z[1] - 0.3 * z[0]) * (z[1] - 0.3 * z[0]) + 0.2 * sin(3 * z[1]) }
        let g3 = { (z: [Double]) in [4 * z[0] * (z[0] * z[0] - 1) - 0.3 * (z[1] - 0.3 * z[0]), (z[1] - 0.3 * z[0]) + 0.6 * cos(3 * z[1])] }
        let plane = [GridAxis(lower: -1.8, upper: 1.8, count: 60), GridAxis(lower: -1.5, upper: 1.5, count: 50)]
        let e3 = try error(plane, missing: { abs($0[0] - 0.5) < 0.2 && abs($0[1]) < 0.3 }, f3, g3)
        let f4 = { (z: [Double]) in z[0] * z[0] + cos(z[1]) + 0.5 * z[0] * sin(z[1]) }
        let g4 = { (z: [Double]) in [2 * z[0] + 0.5 * sin(z[1]), -sin(z[1]) + 0.5 * z[0] * cos(z[1])] }
        let cylinder = [GridAxis(lower: -1, upper: 1, count: 30), GridAxis(lower: 0, upper: 2 * .pi, count: 48, periodic: true)]
        let e4 = try error(cylinder, f4, g4)
        print("mean-force integration: max error 1D \(e1) (refined \(e1Fine)), ring \(e2) (refined \(e2Fine)), 2D with hole \(e3), cylinder \(e4)")
        // The trapezoidal rule's bound, (length/12)·h²·max|F‴|, is 0.04 for the interval and 0.1 for
        // the ring; the errors must also fall as h² under refinement.
        XCTAssertLessThan(e1, 5e-3)
        XCTAssertEqual(e1 / e1Fine, 4, accuracy: 0.5, "second order")
        XCTAssertLessThan(e2, 2e-2)
        XCTAssertEqual(e2 / e2Fine, 4, accuracy: 0.5, "second order")
        XCTAssertLessThan(e3, 2e-2)
        XCTAssertLessThan(e4, 5e-3)
        // Windows in two separate regions have no common constant.
        XCTAssertThrowsError(try error([GridAxis(lower: -2, upper: 2, count: 40)], missing: { abs($0[0]) < 0.2 }, f1, g1))
    }

    func testDiffusionSmoothingKeepsSymmetricPositiveDefiniteTensorsAndLinearFields() throws {
        let axes = [GridAxis(lower: 0, upper: 3, count: 30), GridAxis(lower: 0, upper: 2, count: 20)]
        // A linear field: a symmetric kernel on a uniform grid reproduces it wherever the 3σ window
        // fits inside the grid.
        let linear = try diffusionField(axes) { z in [2 + 0.3 * z[0], 0.2 * z[1], 0.2 * z[1], 1.5 + 0.1 * z[0] - 0.2 * z[1]] }
        let width = [0.2, 0.15]
        let smoothed = try linear.smoothed(on: axes, width: width)
        for (c, z) in cellCentres(axes).enumerated() where z[0] > 0.65 && z[0] < 2.35 && z[1] > 0.5 && z[1] < 1.5 {
            XCTAssertEqual(smoothed.tensor(atCell: c), linear.tensor(atCell: c), accuracy: 1e-12)
        }
        // A noisy field with strong off-diagonals stays symmetric positive definite, and smoothing
        // reduces its cell-to-cell scatter.
        var random = RandomSource(seed: 42)
        let noisy = try diffusionField(axes) { _ in
            let (a, d) = (1 + random.uniform(0, 1), 1 + random.uniform(0, 1))
            let b = 0.95 * (a * d).squareRoot() * random.uniform(-1, 1)
            return [a, b, b, d]
        }
        let calm = try noisy.smoothed(on: axes, width: width)
        func scatter(_ m: DiffusionTensorField) -> Double {
            (1..<m.cellCount).reduce(0.0) { $0 + abs(m.values[$1, 1] - m.values[$1 - 1, 1]) }
        }
        for c in 0..<calm.cellCount {
            let t = calm.tensor(atCell: c)
            XCTAssertEqual(t[1], t[2])
            XCTAssertGreaterThan(t[0], 0)
            XCTAssertGreaterThan(t[0] * t[3] - t[1] * t[2], 0)
        }
        XCTAssertLessThan(scatter(calm), 0.5 * scatter(noisy))
        XCTAssertThrowsError(try DiffusionTensorField(constant: [1, 2, 2, 1], dimension: 2, cells: 1), "indefinite")
        XCTAssertThrowsError(try DiffusionTensorField(constant: [1, 0.1, 0, 1], dimension: 2, cells: 1), "not symmetric")
    }
}
