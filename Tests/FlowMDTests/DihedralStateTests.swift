import XCTest
import FlowLinalg
@testable import FlowMD

/// Butane's anti and gauche states on the C–C–C–C dihedral (Sule, Mehta & Cameron, arXiv
/// 2506.01222: anti |φ − π| < 0.2, gauche ||φ − π| − 2π/3| < 0.1) as periodic CV regions, and the
/// last-visit counts of a scripted path that crosses ±π.
final class DihedralStateTests: XCTestCase {
    let layout = ParticleLayout.atoms(4)

    /// Four atoms whose dihedral 0–1–2–3 is φ.
    func atoms(phi: Double) -> [Double] {
        [-0.5, 1, 0, 0, 0, 0, 1.5, 0, 0, 2, cos(phi), sin(phi)]
    }

    func butaneStates() -> CVRegionStates {
        let cv = ParticleDihedral(0, 1, 2, 3, layout: layout)
        let anti = CVRegion.box(lower: [Double.pi - 0.2], upper: [Double.pi + 0.2])
        let gauche = [Double.pi / 3, 5 * Double.pi / 3].map { CVRegion.box(lower: [$0 - 0.1], upper: [$0 + 0.1]) }
        return CVRegionStates(cv: cv, states: [("anti", anti), ("gauche", gauche[0]), ("gauche", gauche[1])])
    }

    func testRegionsWrapAndShareNames() {
        let cv = ParticleDihedral(0, 1, 2, 3, layout: layout)
        for phi in [-3.0, -1.0, 0.5, 3.1] {
            var d = cv.value(atoms(phi: phi))[0] - phi
            d -= 2 * .pi * (d / (2 * .pi)).rounded()
            XCTAssertEqual(d, 0, accuracy: 1e-12, "the scripted atoms have dihedral \(phi)")
        }
        let s = butaneStates()
        XCTAssertEqual(s.stateNames, ["anti", "gauche"])
        let expected: [(Double, Int?)] = [(3.1, 0), (-3.1, 0), (-Double.pi + 0.19, 0), (-Double.pi + 0.21, nil), (Double.pi - 0.21, nil),
                                          (1.0, 1), (-1.0, 1), (-Double.pi / 3 - 0.09, 1), (-Double.pi / 3 - 0.11, nil), (0, nil), (2.0, nil)]
        for (phi, state) in expected {
            XCTAssertEqual(s.state(of: atoms(phi: phi)), state, "φ = \(phi)")
        }
        XCTAssertFalse(CVRegion.box(lower: [Double.pi - 0.2], upper: [Double.pi + 0.2]).contains([-3.1]),
                       "without the period, φ = −3.1 lies outside the box around π")
    }

    /// Observations at t = 1…7: anti (3.1), gauche+ (1.05), anti across ±π (−3.1), between (−2),
    /// gauche− (−1.05), anti (3.0), anti (−3.05). Without the wrap the visit at −3.1 is missed
    /// and only one anti → gauche event is counted.
    func testTrajectoryCrossingPiCountsEveryTransition() {
        let t = LastVisitTracker(assignment: butaneStates())
        for (i, phi) in [3.1, 1.05, -3.1, -2.0, -1.05, 3.0, -3.05].enumerated() {
            atoms(phi: phi).withUnsafeBufferPointer { t.observe($0, step: i + 1, time: Double(i + 1)) }
        }
        let (anti, gauche) = (0, 1)
        XCTAssertEqual(t.transitions[anti][gauche], 2)
        XCTAssertEqual(t.transitions[gauche][anti], 2)
        XCTAssertEqual(t.reactive[anti][gauche], 2)
        XCTAssertEqual(t.residence, [4, 2], "anti over [1,2], [3,5] and [6,7]; gauche over [2,3] and [5,6]")
        XCTAssertEqual(t.pairResidence[anti][gauche], 4)
        XCTAssertEqual(t.pairResidence[gauche][anti], 2)
    }
}
