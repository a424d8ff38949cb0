import Foundation
import XCTest
@testable import FlowMD

/// CMAP on a small synthetic molecule: parameter reading, exact grid reproduction, smooth
/// interpolation and analytic gradients.
final class CMAPTests: XCTestCase {
    static func surface(_ phi: Double, _ psi: Double) -> Double {
        1.5 * cos(phi) + 0.8 * sin(2 * psi) + 0.6 * cos(phi - psi) + 0.3 * sin(phi + 2 * psi)
    }

    /// A six-atom chain A1–A6 with one cross-term (φ = 1-2-3-4, ψ = 2-3-4-5), parameters from text.
    func syntheticSystem() throws -> (ForceField, [Double], CMAPGrid) {
        let n = 24
        var grid = "CMAP\nCX NX CX CX NX CX CX NX \(n)\n"
        var values: [Double] = []
        for i in 0..<n {
            grid += "! phi = \(-180 + 15 * i)\n"
            for j in 0..<n {
                let v = Self.surface(Double(-180 + 15 * i) * .pi / 180, Double(-180 + 15 * j) * .pi / 180)
                values.append((v * 1e6).rounded() / 1e6)
                grid += String(format: " %.6f", values.last!) + (j % 5 == 4 ? "\n" : "")
            }
            grid += "\n"
        }
        let text = """
        * synthetic CMAP test
        ATOMS
        MASS 1 CX 12.011
        MASS 2 NX 14.007
        BONDS
        CX CX 200.0 1.5
        CX NX 300.0 1.45
        ANGLES
        CX CX NX 50.0 110.0
        CX NX CX 50.0 120.0
        NX CX CX 50.0 110.0
        DIHEDRALS
        X CX CX X 0.2 3 0.0
        X CX NX X 0.1 2 180.0
        \(grid)
        NONBONDED
        CX 0.0 -0.05 2.0
        NX 0.0 -0.2 1.85
        END
        """
        let parameters = try CharmmParameterReader.read(text: text, source: "synthetic.prm")
        let names = ["CX", "NX", "CX", "CX", "NX", "CX"]
        let atoms = names.enumerated().map { Atom(segment: "S", residueID: "1", residueName: "SYN", name: "A\($0.offset + 1)",
                                                   type: $0.element, charge: 0, mass: $0.element == "CX" ? 12.011 : 14.007) }
        var topology = Topology(atoms: atoms, bonds: (0..<5).map { Bond($0, $0 + 1) })
        topology.angles = topology.generatedAngles()
        topology.dihedrals = topology.generatedDihedrals()
        topology.crossTerms = [CrossTerm(phi: Dihedral(0, 1, 2, 3), psi: Dihedral(1, 2, 3, 4))]
        let x: [Double] = [0, 0, 0, 1.5, 0, 0, 2.1, 1.3, 0.1, 3.6, 1.4, -0.4, 4.3, 2.6, 0.2, 5.8, 2.5, 0.9]
        return (try ForceField(topology: topology, parameters: parameters), x,
                try parameters.cmap(["CX", "NX", "CX", "CX", "NX", "CX", "CX", "NX"]))
    }

    func testGridIsReadAndReproducedExactly() throws {
        let (_, _, grid) = try syntheticSystem()
        XCTAssertEqual(grid.size, 24)
        let table = CMAPTable(grid)
        for i in stride(from: 0, to: 24, by: 5) {
            for j in stride(from: 0, to: 24, by: 7) {
                let phi = Double(-180 + 15 * i) * .pi / 180, psi = Double(-180 + 15 * j) * .pi / 180
                XCTAssertEqual(table.evaluate(phi: phi, psi: psi).energy, grid.values[i * 24 + j], accuracy: 1e-12)
            }
        }
    }

    func testInterpolationFollowsASmoothSurfaceAndItsDerivatives() throws {
        let (_, _, grid) = try syntheticSystem()
        let table = CMAPTable(grid)
        var worst = (0.0, 0.0)
        for k in 0..<200 {
            let phi = -3.1 + 6.2 * Double(k) / 199, psi = 3.0 - 5.9 * Double((k * 37) % 200) / 199
            let v = table.evaluate(phi: phi, psi: psi)
            worst.0 = max(worst.0, abs(v.energy - Self.surface(phi, psi)))
            let h = 1e-6
            let dphi = (Self.surface(phi + h, psi) - Self.surface(phi - h, psi)) / (2 * h)
            worst.1 = max(worst.1, abs(v.dPhi - dphi))
        }
        XCTAssertLessThan(worst.0, 2e-3)
        XCTAssertLessThan(worst.1, 2e-2)
    }

    func testCMAPGradientMatchesFiniteDifferences() throws {
        let (ff, x, _) = try syntheticSystem()
        XCTAssertEqual(ff.termCounts["cmap"], 1)
        XCTAssertNotEqual(ff.energyTerms(x).cmap, 0)
        checkGradient("CMAP", x) { ff.cmap.evaluate($0, $1) }
        var g = [Double](repeating: 0, count: x.count)
        checkGradient("synthetic total", x) { xp, gp in
            let e = ff.energy(Array(UnsafeBufferPointer(start: xp, count: x.count)), gradient: &g)
            for i in g.indices { gp[i] = g[i] }
            return e
        }
    }
}
