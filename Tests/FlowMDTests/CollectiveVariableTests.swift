import XCTest
@testable import FlowMD

/// Jacobians of every built-in CV against finite differences, and values against hand-computed
/// geometry.
final class CollectiveVariableTests: XCTestCase {
    let planar = ParticleLayout.planar(particles: 7)

    func testCoordinationFamily() {
        let x = jiggledCluster(pullOut: false)
        FiniteDifference.assertJacobian(CoordinationNumbers(layout: planar), at: x)
        FiniteDifference.assertJacobian(CoordinationMoments(layout: planar), at: x)
        FiniteDifference.assertJacobian(CoordinationMoments(layout: planar, orders: [2, 3, 4]), at: jiggledCluster())
        FiniteDifference.assertJacobian(SortedCoordinationNumbers(layout: planar), at: x)
    }

    func testCoordinationValueMatchesDefinition() {
        // Two particles at distance r: c = (1 − (r/1.5)⁸)/(1 − (r/1.5)¹⁶) each.
        let layout = ParticleLayout.planar(particles: 2)
        let r = 1.2
        let c = CoordinationNumbers(layout: layout).value([0, r, 0, 0])
        let q = pow(r / 1.5, 8)
        XCTAssertEqual(c[0], (1 - q) / (1 - q * q), accuracy: 1e-14)
        let mu = CoordinationMoments(layout: planar).value(jiggledCluster())
        let cs = CoordinationNumbers(layout: planar).value(jiggledCluster())
        let mean = cs.reduce(0, +) / 7
        XCTAssertEqual(mu[0], cs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 7, accuracy: 1e-14)
        XCTAssertEqual(mu[1], cs.map { pow($0 - mean, 3) }.reduce(0, +) / 7, accuracy: 1e-14)
    }

    func testGeometricCVs() {
        let x2 = jiggledCluster(pullOut: false)
        FiniteDifference.assertJacobian(ParticleDistance(0, 3, layout: planar), at: x2)
        FiniteDifference.assertJacobian(ParticleAngle(1, 0, 4, layout: planar), at: x2)
        FiniteDifference.assertJacobian(ParticlePositions([2, 5], layout: planar), at: x2)
        let atoms = ParticleLayout.atoms(4)
        let x3 = [0.1, 0.2, -0.1, 1.5, 0.1, 0.2, 2.1, 1.4, -0.3, 3.4, 1.6, 0.5]
        FiniteDifference.assertJacobian(ParticleDistance(0, 2, layout: atoms), at: x3)
        FiniteDifference.assertJacobian(ParticleAngle(0, 1, 2, layout: atoms), at: x3)
        FiniteDifference.assertJacobian(ParticleDihedral(0, 1, 2, 3, layout: atoms), at: x3)
        FiniteDifference.assertJacobian(StackedCV([ParticleDistance(0, 3, layout: atoms), ParticleDihedral(0, 1, 2, 3, layout: atoms)]), at: x3)
    }

    func testDihedralConvention() {
        let atoms = ParticleLayout.atoms(4)
        let trans = [1.0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -1, 0]
        XCTAssertEqual(abs(ParticleDihedral(0, 1, 2, 3, layout: atoms).value(trans)[0]), Double.pi, accuracy: 1e-12)
        // Looking from b to c (+x), the front bond points along +y and the back bond along +z: the
        // front bond turns clockwise by 90° onto the back one, so IUPAC gives +90°.
        let plus = [1.0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1]
        XCTAssertEqual(ParticleDihedral(0, 1, 2, 3, layout: atoms).value(plus)[0], Double.pi / 2, accuracy: 1e-12)
        XCTAssertEqual(ParticleAngle(0, 1, 2, layout: atoms).value(plus)[0], Double.pi / 4, accuracy: 1e-12)
    }
}
