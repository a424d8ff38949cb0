import XCTest
@testable import FlowMD

/// The per-walker umbrella windows of the effective-dynamics estimators: forces against finite
/// differences, the walker index choosing the window, the periodic minimum image, and the window
/// averages against hand-computed values.
final class UmbrellaWindowsTests: XCTestCase {
    let layout = ParticleLayout(particles: 7, spatialDimension: 2, order: .coordinateMajor)

    func testWindowForcesMatchFiniteDifferencesForEachWalker() {
        let cv = CoordinationMoments(layout: layout)
        let x = jiggledCluster()
        let windows = UmbrellaWindows(cv: cv, forceConstants: [300, 120], centers: [[0.7, 1.2], [0.5, -0.2]], periods: [nil, nil])
        for walker in 0..<2 {
            var gradient = [Double](repeating: 0, count: x.count)
            let energy = windows.energy(x, walker: walker, time: 0, addingGradientTo: &gradient)
            var scratch = [Double](repeating: 0, count: x.count)
            let numeric = FiniteDifference.gradient({ windows.energy($0, walker: walker, time: 0, addingGradientTo: &scratch) }, at: x)
            FiniteDifference.assertMatches(gradient, numeric, tolerance: 1e-6, "window \(walker)")
            let xi = cv.value(x), z = windows.centers[walker]
            XCTAssertEqual(energy, 0.5 * 300 * pow(xi[0] - z[0], 2) + 0.5 * 120 * pow(xi[1] - z[1], 2), accuracy: 1e-12)
        }
    }

    func testPeriodicComponentsUseTheMinimumImage() {
        let angle = ParticleDihedral(0, 1, 2, 3, layout: ParticleLayout(particles: 4, spatialDimension: 3, order: .interleaved))
        let x: [Double] = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0.1, 1, 1]
        let phi = angle.value(x)[0]
        // A window centred one period away from φ is at zero deviation.
        let windows = UmbrellaWindows(cv: angle, forceConstants: [10], centers: [[phi + 2 * Double.pi]], periods: [2 * Double.pi])
        var g = [Double](repeating: 0, count: x.count)
        XCTAssertEqual(windows.energy(x, walker: 0, time: 0, addingGradientTo: &g), 0, accuracy: 1e-20)
        var scratch = g
        FiniteDifference.assertMatches(g, FiniteDifference.gradient({ windows.energy($0, walker: 0, time: 0, addingGradientTo: &scratch) }, at: x),
                                       tolerance: 1e-6, "periodic window")
    }

    func testWindowAveragesAreTheMeanValueAndGradientOuterProduct() {
        // ξ = (x0, 2·x1 + x0) on ℝ²: J = [[1, 0], [1, 2]], J Jᵀ = [[1, 1], [1, 5]].
        struct Linear: CollectiveVariable {
            var inputDimension: Int { 2 }
            var outputDimension: Int { 2 }
            var componentNames: [String] { ["a", "b"] }
            func value(_ x: [Double]) -> [Double] { [x[0], 2 * x[1] + x[0]] }
            func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
                jacobian = [1, 0, 1, 2]
                return value(x)
            }
        }
        let averages = WindowAverages(cv: Linear(), center: [0, 0], periods: [nil, nil], equilibrationSteps: 10)
        let points: [[Double]] = [[1, 1], [3, -1], [5, 5]]
        for (i, p) in points.enumerated() {
            p.withUnsafeBufferPointer { averages.observe($0, step: i == 0 ? 10 : 20 + i, time: 0) }
        }
        // The first point is in the equilibration and is not averaged.
        XCTAssertEqual(averages.samples, 2)
        XCTAssertEqual(averages.meanValue!, [4, (1 + 15) / 2.0])
        XCTAssertEqual(averages.meanDiffusion!, [1, 1, 1, 5])
    }
}
