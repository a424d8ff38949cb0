import XCTest
import FlowLinalg
@testable import FlowStages

/// The leave-one-out k-nearest-neighbour vote accuracy against hand-computed votes and against
/// its two limits: coordinates that carry the labels score 1, coordinates independent of them
/// score about the largest state's share.
final class StateSeparationTests: XCTestCase {
    func testVotesOnALineByHand() throws {
        // Points 0, 1, 2, 3 (state 0), 10, 11, 12 (state 1), and 2.6 labelled 1 amid state 0.
        let points: [Double] = [0, 1, 2, 3, 10, 11, 12, 2.6]
        let labels = [0, 0, 0, 0, 1, 1, 1, 1]
        let x = Matrix(rows: points.count, cols: 1, storage: points)
        // k = 3, nearest others of each point: 0 → 1, 2, 2.6 (0, 0, 1) → 0; 1 → 0, 2, 2.6 → 0;
        // 2 → 2.6, 3, 1 → 0; 3 → 2.6, 2, 1 → 0; 10 → 11, 12, 3 → 1; 11 → 10, 12, 3 → 1; 12 → 11, 10, 3 → 1;
        // 2.6 → 3, 2, 1 → 0 (wrong). 7 of 8 right.
        XCTAssertEqual(try StateSeparation.predictions(labels: labels, coordinates: x, neighbors: 3), [0, 0, 0, 0, 1, 1, 1, 0])
        XCTAssertEqual(try StateSeparation.accuracy(labels: labels, coordinates: x, neighbors: 3), 7.0 / 8.0)
        // k = 2 ties (one vote each) go to the state of the nearer neighbour: 3 → 2.6 (1), 2 (0) → 1.
        XCTAssertEqual(try StateSeparation.predictions(labels: labels, coordinates: x, neighbors: 2)[3], 1)
    }

    func testScaleOfAColumnDoesNotMatter() throws {
        var rng = RandomSource(seed: 4)
        var x = Matrix(rows: 200, cols: 2), labels: [Int] = []
        for i in 0..<200 {
            labels.append(i % 3)
            x[i, 0] = Double(i % 3) + 0.6 * rng.normal()
            x[i, 1] = rng.normal()
        }
        let base = try StateSeparation.accuracy(labels: labels, coordinates: x)
        var stretched = x
        for i in 0..<200 { stretched[i, 1] *= 1000 }
        XCTAssertEqual(try StateSeparation.accuracy(labels: labels, coordinates: stretched), base, "columns are standardized")
    }

    func testSeparatedAndIndependentCoordinates() throws {
        var rng = RandomSource(seed: 9)
        let n = 600
        var labels: [Int] = [], separated = Matrix(rows: n, cols: 2), independent = Matrix(rows: n, cols: 2)
        for i in 0..<n {
            let s = i < 300 ? 0 : (i < 450 ? 1 : 2)
            labels.append(s)
            separated[i, 0] = 8 * Double(s) + rng.normal()
            separated[i, 1] = rng.normal()
            independent[i, 0] = rng.normal()
            independent[i, 1] = rng.normal()
        }
        XCTAssertGreaterThan(try StateSeparation.accuracy(labels: labels, coordinates: separated), 0.99, "clusters 8σ apart")
        let chance = try StateSeparation.accuracy(labels: labels, coordinates: independent)
        XCTAssertEqual(chance, 0.5, accuracy: 0.07, "about the largest state's share (300 of 600)")
    }
}
