import XCTest
@testable import FlowMD

/// Kabsch/Wahba alignment recovers known rotations in 2D and 3D, and the permutation-invariant
/// features do not change when particles are relabelled.
final class RigidAlignmentTests: XCTestCase {
    func testRecoversRotation2D() {
        let ref = RigidAlignment.centered([[0, 0], [1, 0], [0, 2], [1.5, 1]])
        let t = 2.1, c = cos(t), s = sin(t)
        let moved = ref.map { [c * $0[0] - s * $0[1] + 3, s * $0[0] + c * $0[1] - 1] }
        let aligned = RigidAlignment.align(RigidAlignment.centered(moved), onto: ref)
        XCTAssertLessThan(RigidAlignment.rmsd(aligned, ref), 1e-12)
    }

    func testRecoversRotation3D() {
        let ref = RigidAlignment.centered([[0, 0, 0], [1, 0, 0], [0, 2, 0], [0, 0, 1.5], [1, 1, 1]])
        // Rotation about the axis (1, 2, 2)/3 by 2.5 rad (Rodrigues).
        let k = [1.0 / 3, 2.0 / 3, 2.0 / 3], a = 2.5
        func rotate(_ v: [Double]) -> [Double] {
            let kv = [k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0]]
            let kd = k[0] * v[0] + k[1] * v[1] + k[2] * v[2]
            return (0..<3).map { v[$0] * cos(a) + kv[$0] * sin(a) + k[$0] * kd * (1 - cos(a)) }
        }
        let moved = ref.map(rotate)
        let aligned = RigidAlignment.align(moved, onto: ref)
        XCTAssertLessThan(RigidAlignment.rmsd(aligned, ref), 1e-10)
        let mirrored = ref.map { [-$0[0], $0[1], $0[2]] }
        XCTAssertGreaterThan(RigidAlignment.rmsd(RigidAlignment.align(mirrored, onto: ref), ref), 0.1, "no reflections")
    }

    func testSortedFeaturesArePermutationInvariant() {
        let layout = ParticleLayout.planar(particles: 7)
        let x = jiggledCluster(pullOut: false)
        var rows = layout.positions(x)
        rows.swapAt(0, 5)
        rows.swapAt(2, 3)
        let permuted = layout.flatten(rows)
        for cv in [SortedCoordinationNumbers(layout: layout), PairwiseDistances(layout: layout, sorted: true)] as [any CollectiveVariable] {
            let a = cv.value(x), b = cv.value(permuted)
            for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-12) }
        }
        FiniteDifference.assertJacobian(PairwiseDistances(layout: layout, squared: true, sorted: true), at: x)
    }

    /// The aligned positions of four of six 3D particles: invariant under rigid motions, equal to
    /// `align` of the centred selection, and with a Jacobian that matches finite differences.
    func testAlignedPositionsAreRigidInvariantWithFiniteDifferenceJacobian() {
        let layout = ParticleLayout.atoms(6)
        let reference: [Double] = [0, 0, 0, 1.5, 0, 0, 2.1, 1.4, 0, 3.6, 1.5, 0.3, -0.6, -0.8, 0.2, 4, 2.5, -0.5]
        var rng = SplitRandom(11)
        let x = reference.map { $0 + 0.3 * (rng.next() - 0.5) }
        let selection = [0, 1, 2, 3]
        let cv = AlignedPositions(selection, reference: selection.map { layout.position($0, in: reference) }, layout: layout)
        // A rigid motion: rotation by 1.1 rad about z, then a shift.
        let (c, s) = (cos(1.1), sin(1.1))
        let moved = layout.flatten(layout.positions(x).map { [c * $0[0] - s * $0[1] + 2, s * $0[0] + c * $0[1] - 1, $0[2] + 0.5] })
        for (u, v) in zip(cv.value(x), cv.value(moved)) { XCTAssertEqual(u, v, accuracy: 1e-10) }
        let aligned = RigidAlignment.align(RigidAlignment.centered(selection.map { layout.position($0, in: x) }), onto: cv.reference)
        for (u, v) in zip(cv.value(x), aligned.flatMap { $0 }) { XCTAssertEqual(u, v, accuracy: 1e-12) }
        FiniteDifference.assertJacobian(cv, at: x, tolerance: 1e-6)
        FiniteDifference.assertJacobian(cv, at: moved, tolerance: 1e-6)
    }
}
