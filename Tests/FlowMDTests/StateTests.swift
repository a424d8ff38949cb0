import XCTest
import FlowLinalg
@testable import FlowMD

/// States and the last-visit bookkeeping behind the brute-force rates, against hand-counted
/// values on a scripted path and against the LJ7 minima.
final class StateTests: XCTestCase {
    /// Three states on a line: A x < 0, C |x − 1| < 0.1, B x > 2.
    struct LineStates: StateAssignment {
        var stateNames: [String] { ["A", "B", "C"] }
        func state(of x: [Double]) -> Int? {
            x[0] < 0 ? 0 : x[0] > 2 ? 1 : abs(x[0] - 1) < 0.1 ? 2 : nil
        }
    }

    /// Observations at t = 1…8 in A, –, C, A, C, B, –, A.
    func scriptedTracker() -> LastVisitTracker {
        let t = LastVisitTracker(assignment: LineStates())
        for (i, x) in [-1.0, 0.5, 1.0, -1, 1, 3, 0.5, -1].enumerated() {
            [x].withUnsafeBufferPointer { t.observe($0, step: i + 1, time: Double(i + 1)) }
        }
        return t
    }

    func testTrackerCountsMatchHandCount() {
        let t = scriptedTracker()
        let (a, b, c) = (0, 1, 2)
        XCTAssertEqual(t.totalTime, 8)
        XCTAssertEqual(t.residence, [3, 2, 2], "A over [1,3] and [4,5]; B over [6,8]; C over [3,4] and [5,6]")
        XCTAssertEqual(t.transitions[a][c], 2)
        XCTAssertEqual(t.transitions[c][a], 1)
        XCTAssertEqual(t.transitions[c][b], 1)
        XCTAssertEqual(t.transitions[b][a], 1)
        XCTAssertEqual(t.transitions[a][b], 0, "A → B never happens without C in between")
        XCTAssertEqual(t.reactive[a][b], 1, "C ignored: the {A, B} label switches A → B once")
        XCTAssertEqual(t.reactive[b][a], 1)
        XCTAssertEqual(t.reactive[a][c], 2)
        XCTAssertEqual(t.reactive[c][a], 2)
        XCTAssertEqual(t.reactive[c][b], 1)
        XCTAssertEqual(t.reactive[b][c], 0)
        XCTAssertEqual(t.pairResidence[a][b], 5, "A more recent than B over [1,6]")
        XCTAssertEqual(t.pairResidence[b][a], 2)
        XCTAssertEqual(t.pairResidence[a][c], 3)
        XCTAssertEqual(t.pairResidence[c][a], 4)
        XCTAssertEqual(t.pairResidence[c][b], 3)
        XCTAssertEqual(t.pairResidence[b][c], 2)
    }

    func testTrackerStateRoundTrips() {
        let t = scriptedTracker()
        let copy = LastVisitTracker(assignment: LineStates())
        copy.state = t.state
        XCTAssertEqual(copy.state, t.state)
        XCTAssertEqual(copy.pairResidence, t.pairResidence)
    }

    func testEstimateDefinitions() {
        var rng = RandomSource(seed: 3)
        let e = TransitionRateEstimate(trackers: [scriptedTracker(), scriptedTracker()], names: ["A", "B", "C"],
                                       confidence: 0.9, resamples: 200, random: &rng)
        XCTAssertEqual(e.row(.mfptRate, from: "A", to: "B")?.value, 1.0 / 5)
        XCTAssertEqual(e.row(.reactiveFlux, from: "A", to: "B")?.value, 1.0 / 8)
        XCTAssertEqual(e.row(.occupancy, from: "A", to: "B")?.value, 5.0 / 8)
        XCTAssertEqual(e.row(.escapeRate, from: "A", to: "any")?.value, 2.0 / 3)
        XCTAssertEqual(e.row(.mfptRate, from: "A", to: "B")?.events, 2)
        XCTAssertEqual(e.row(.mfptRate, from: "A", to: "B")?.time, 10)
        XCTAssertEqual(e.row(.reactiveFlux, from: "C", to: "A")?.value, 2.0 / 8)
        XCTAssertEqual(e.totalTime, 16)
        let k = e.row(.mfptRate, from: "B", to: "A")!
        XCTAssertEqual(k.low, k.value, "identical walkers: a degenerate interval")
        XCTAssertEqual(k.high, k.value)
    }

    func testRegions() {
        let ellipse = CVRegion.ellipse(center: [1, 2], semiAxes: [0.5, 2])
        XCTAssertTrue(ellipse.contains([1.5, 2]))
        XCTAssertTrue(ellipse.contains([1, 3.99]))
        XCTAssertFalse(ellipse.contains([1.4, 3.5]), "0.8² + 0.75² > 1")
        let box = CVRegion.box(lower: [0, 0], upper: [1, 2])
        XCTAssertTrue(box.contains([1, 2]))
        XCTAssertFalse(box.contains([1.01, 1]))
    }

    func testLennardJonesDefaultStatesHoldTheirMinimaOnly() {
        let lj = LennardJonesCluster2D()
        let minima = LennardJonesMinima.minima(of: lj)
        let states = LennardJonesStates.hexagonTrapezoid(layout: lj.layout)
        XCTAssertEqual(states.state(of: minima["hexagon"]!), 0)
        XCTAssertEqual(states.state(of: minima["trapezoid"]!), 1)
        XCTAssertNil(states.state(of: minima["capped-parallelogram-1"]!))
        XCTAssertNil(states.state(of: minima["capped-parallelogram-2"]!))
    }

    func testQuenchBasinsAssignPerturbedMinima() {
        let lj = LennardJonesCluster2D()
        let minima = LennardJonesMinima.minima(of: lj)
        let names = LennardJonesMinima.fragments.map(\.name)
        let basins = QuenchStates.basins(potential: lj, minima: names.map { ($0, minima[$0]!) },
                                         signature: SortedCoordinationNumbers(layout: lj.layout))
        var rng = RandomSource(seed: 5)
        for (i, name) in names.enumerated() {
            let x = minima[name]!.map { $0 + 0.05 * rng.normal() }
            XCTAssertEqual(basins.state(of: x), i, "\(name) displaced by 0.05 relaxes back to it")
        }
    }

    /// Basin cores: the radius is the stated fraction of the signature distance to the nearest
    /// other minimum; the minima and small displacements are in their cores, a parallelogram
    /// (a minimum but not a state) in none, a configuration inside the hexagon's ball whose quench
    /// ends elsewhere in none; `state(of:after:)` reports only entries into another core.
    func testBasinCoresAreBallsCutToTheirBasins() {
        let lj = LennardJonesCluster2D()
        let minima = LennardJonesMinima.minima(of: lj)
        let names = LennardJonesMinima.fragments.map(\.name)
        let signature = SortedCoordinationNumbers(layout: lj.layout)
        let cores = BasinCores(potential: lj, minima: names.map { ($0, minima[$0]!) },
                               cores: [("A", "hexagon"), ("B", "trapezoid")], signature: signature, fraction: 0.5)
        let s = names.map { signature.value(minima[$0]!) }
        func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }
        XCTAssertEqual(cores.radii[0], 0.5 * (1...3).map { distance(s[0], s[$0]) }.min()!, accuracy: 1e-12)
        XCTAssertEqual(cores.radii[1], 0.5 * (0...2).map { distance(s[3], s[$0]) }.min()!, accuracy: 1e-12)
        XCTAssertEqual(cores.state(of: minima["hexagon"]!), 0)
        XCTAssertEqual(cores.state(of: minima["trapezoid"]!), 1)
        XCTAssertNil(cores.state(of: minima["capped-parallelogram-1"]!))
        var rng = RandomSource(seed: 9)
        let shaken = minima["trapezoid"]!.map { $0 + 0.03 * rng.normal() }
        XCTAssertEqual(cores.state(of: shaken), 1)
        XCTAssertNil(cores.state(of: shaken, after: 1), "staying in the last core is no entry")
        XCTAssertEqual(cores.state(of: shaken, after: 0), 1)
        // Inside the hexagon's ball but not its basin: a ball of 1.2 times the distance around the
        // hexagon takes in the parallelogram nearest to it in signature, whose quench stays there.
        let wide = BasinCores(potential: lj, minima: names.map { ($0, minima[$0]!) },
                              cores: [("A", "hexagon")], signature: signature, fraction: 1.2)
        let nearest = (1...3).min { distance(s[0], s[$0]) < distance(s[0], s[$1]) }!
        XCTAssertLessThan(distance(s[0], s[nearest]), wide.radii[0])
        XCTAssertNil(wide.state(of: minima[names[nearest]]!), "\(names[nearest]) lies in the hexagon's ball, not its basin")
    }
}
