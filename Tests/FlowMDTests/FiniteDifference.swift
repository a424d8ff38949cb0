import XCTest
@testable import FlowMD

/// Central finite differences, the independent reference for every analytic gradient.
enum FiniteDifference {
    static func gradient(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-6) -> [Double] {
        x.indices.map { i in
            var p = x, m = x
            p[i] += h
            m[i] -= h
            return (f(p) - f(m)) / (2 * h)
        }
    }

    /// Asserts |analytic − numeric| ≤ tolerance · max(1, |numeric|) component-wise.
    static func assertMatches(_ analytic: [Double], _ numeric: [Double], tolerance: Double, _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.count, numeric.count, what, file: file, line: line)
        for (i, (a, n)) in zip(analytic, numeric).enumerated() {
            XCTAssertEqual(a, n, accuracy: tolerance * max(1, abs(n)), "\(what) component \(i)", file: file, line: line)
        }
    }

    /// Checks the Jacobian of every component of a CV at x.
    static func assertJacobian(_ cv: any CollectiveVariable, at x: [Double], tolerance: Double = 1e-6,
                               file: StaticString = #filePath, line: UInt = #line) {
        var jacobian = [Double](repeating: 0, count: cv.outputDimension * cv.inputDimension)
        let value = cv.value(x, jacobian: &jacobian)
        XCTAssertEqual(value, cv.value(x), "value with and without Jacobian", file: file, line: line)
        for c in 0..<cv.outputDimension {
            let numeric = gradient({ cv.value($0)[c] }, at: x)
            let row = Array(jacobian[(c * cv.inputDimension)..<((c + 1) * cv.inputDimension)])
            assertMatches(row, numeric, tolerance: tolerance, "\(type(of: cv)) \(cv.componentNames[c])", file: file, line: line)
        }
    }
}

/// A perturbed LJ7 configuration (hexagon, shaken, one particle pulled beyond the restraint radius).
func jiggledCluster(seed: UInt64 = 3, pullOut: Bool = true) -> [Double] {
    var x = LennardJonesMinima.minima(of: LennardJonesCluster2D())["hexagon"]!
    var rng = SplitRandom(seed)
    for i in x.indices { x[i] += 0.08 * (rng.next() - 0.5) }
    if pullOut {
        x[3] += 2.6
        x[10] += 0.9
    }
    return x
}

/// Deterministic uniform numbers in [0, 1) for test fixtures.
struct SplitRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
    }
}
