import XCTest
import FlowLinalg
@testable import FlowMD

/// The stiffest vibration behind the time-step checks, on the constraint manifold.
final class TimeStepLimitTests: XCTestCase {
    /// H–C–D with V = Kb (b − b0)² on both bonds and Kθ (θ − θ0)² on the angle, at b = b0 and θ = θ0,
    /// no Lennard-Jones well and no charges.
    func triatomic() throws -> MolecularSystem {
        let parameters = try CharmmParameterReader.read(text: """
            BONDS
            HX  CX  300.0  1.10
            ANGLES
            HX  CX  HX  40.0  109.5
            NONBONDED
            CX  0.0  0.0  2.0
            HX  0.0  0.0  1.3
            END
            """)
        func atom(_ name: String, _ type: String, _ mass: Double) -> Atom {
            Atom(segment: "T", residueID: "1", residueName: "TRI", name: name, type: type, charge: 0, mass: mass)
        }
        let topology = Topology(atoms: [atom("H", "HX", 1.008), atom("C", "CX", 12.011), atom("D", "HX", 2.014)],
                                bonds: [Bond(0, 1), Bond(1, 2)], angles: [Angle(0, 1, 2)])
        let (b, theta) = (1.10, 109.5 * Double.pi / 180)
        let positions = [b, 0, 0, 0, 0, 0, b * cos(theta), b * sin(theta), 0]
        return MolecularSystem(topology: topology, parameters: parameters, positions: positions)
    }

    /// With both bonds rigid only the bend is left. Wilson's G matrix in (r₁, r₂, θ) (Wilson, Decius &
    /// Cross 1955, table 4-1, equal bond lengths b): G_θθ = (1/m_H + 1/m_D + (2 − 2 cos θ)/m_C)/b²,
    /// G_rᵢθ = −sin θ/(m_C b), G_r₁r₁ = 1/m_H + 1/m_C, G_r₂r₂ = 1/m_D + 1/m_C, G_r₁r₂ = cos θ/m_C.
    /// Rigid bonds fix ṙ = 0, so the bend's kinetic factor is the Schur complement
    /// G_θθ − G_θr G_rr⁻¹ G_rθ, and ω² = 2Kθ · 418.4 times it (1 % below G_θθ alone here); the
    /// bond-only estimate would see nothing at all.
    func testRigidBondsLeaveTheBendWithWilsonsFrequency() throws {
        let system = try triatomic()
        let (b, theta, mH, mC, mD) = (1.10, 109.5 * Double.pi / 180, 1.008, 12.011, 2.014)
        let gThetaTheta = (1 / mH + 1 / mD + (2 - 2 * cos(theta)) / mC) / (b * b)
        let gRTheta = -sin(theta) / (mC * b)
        let (g11, g22, g12) = (1 / mH + 1 / mC, 1 / mD + 1 / mC, cos(theta) / mC)
        let det = g11 * g22 - g12 * g12
        // G_θr G_rr⁻¹ G_rθ, the two entries of G_θr being equal.
        let coupling = gRTheta * gRTheta * (g22 + g11 - 2 * g12) / det
        let expected = 2 * 40.0 * MDUnits.accelerationFactor * (gThetaTheta - coupling)
        let limit = try XCTUnwrap(try TimeStepLimit(system: system, constrained: [(0, 1), (1, 2)]))
        XCTAssertEqual(limit.angularFrequency * limit.angularFrequency, expected, accuracy: 1e-5 * expected)
        XCTAssertTrue(limit.label.hasPrefix("a mode mostly on H"), limit.label)
        XCTAssertEqual(limit.brownianLimit(friction: 1), 0.5 / expected, accuracy: 1e-5 * 0.5 / expected)

        // Unconstrained, the stiffest vibration is at least the stiffer bond's, 2Kb · 418.4 / μ(H, C).
        let free = try XCTUnwrap(try TimeStepLimit(system: system))
        let bond = 2 * 300.0 * MDUnits.accelerationFactor * (1 / 1.008 + 1 / 12.011)
        XCTAssertGreaterThanOrEqual(free.angularFrequency * free.angularFrequency, bond * (1 - 1e-9))
    }

    /// Butane with C–H rigid: the H bends (ω² ≈ 7.4·10⁴ ps⁻²) are stiffer than the C–C bond
    /// (3.1·10⁴), so Brownian dynamics at γ = 1/ps needs dt ≤ 0.5/ω² ≈ 0.0068 fs, not 0.016 fs.
    func testButaneBendsAreStifferThanItsCarbonBondsOnceCHIsRigid() throws {
        let butane = try BuiltInMolecules.butane()
        let rigid = try XCTUnwrap(try TimeStepLimit(system: butane, constrained: try butane.hydrogenBondConstraints().pairs))
        let omega2 = rigid.angularFrequency * rigid.angularFrequency
        XCTAssertEqual(omega2, 7.4e4, accuracy: 0.3e4, rigid.label)
        XCTAssertTrue(rigid.label.hasPrefix("a mode mostly on H"), rigid.label)
        XCTAssertLessThan(rigid.brownianLimit(friction: 1), 1.6e-5)
        XCTAssertGreaterThan(rigid.inertialLimit, 0.002, "Langevin at 2 fs with H-bond constraints")
    }
}
