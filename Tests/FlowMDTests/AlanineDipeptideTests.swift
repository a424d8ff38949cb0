import XCTest
@testable import FlowMD

/// The built alanine dipeptide ACE–ALA–NME: CHARMM22 types and charges (RESI ALAD of
/// top_all22_prot.rtf, here as ALA + ACED + CT3), its φ/ψ by name, and the vacuum minima C7eq and
/// C7ax. Its energies against OpenMM are in BuiltMoleculeEnergyTests.
final class AlanineDipeptideTests: XCTestCase {
    /// Atom name → (CHARMM type, charge) of CHARMM22's ALA with the ACED and CT3 patches.
    static let expectedAtoms: [String: (String, Double)] = [
        "CAY": ("CT3", -0.27), "HY1": ("HA", 0.09), "HY2": ("HA", 0.09), "HY3": ("HA", 0.09),
        "CY": ("C", 0.51), "OY": ("O", -0.51),
        "N": ("NH1", -0.47), "HN": ("H", 0.31), "CA": ("CT1", 0.07), "HA": ("HB", 0.09),
        "CB": ("CT3", -0.27), "HB1": ("HA", 0.09), "HB2": ("HA", 0.09), "HB3": ("HA", 0.09),
        "C": ("C", 0.51), "O": ("O", -0.51),
        "NT": ("NH1", -0.47), "HNT": ("H", 0.31), "CAT": ("CT3", -0.11),
        "HT1": ("HA", 0.09), "HT2": ("HA", 0.09), "HT3": ("HA", 0.09),
    ]

    func testTopologyHasCharmm22TypesAndCharges() throws {
        let t = try BuiltInMolecules.alanineDipeptide().topology
        XCTAssertEqual(t.atoms.count, 22)
        XCTAssertEqual(Set(t.atoms.map(\.name)), Set(Self.expectedAtoms.keys))
        for a in t.atoms {
            let (type, charge) = Self.expectedAtoms[a.name]!
            XCTAssertEqual(a.type, type, a.name)
            XCTAssertEqual(a.charge, charge, accuracy: 1e-12, a.name)
        }
        XCTAssertEqual(t.atoms.reduce(0) { $0 + $1.charge }, 0, accuracy: 1e-12)
        XCTAssertEqual(t.atoms.reduce(0) { $0 + $1.mass }, 144.174, accuracy: 1e-3)  // C6H12N2O2
        // Bond graph of ALAD: 21 bonds (a tree), 36 angles, 41 dihedrals; impropers of both
        // amides (C=O planarity, N–H out of plane).
        XCTAssertEqual(t.bonds.count, 21)
        XCTAssertEqual(t.angles.count, 36)
        XCTAssertEqual(t.dihedrals.count, 41)
        XCTAssertEqual(t.impropers.count, 4)
        XCTAssertTrue(t.crossTerms.isEmpty)
    }

    func testBackboneDihedralsByName() throws {
        for (phi, psi) in [(-83.0, 73.0), (72.0, -60.0), (-150.0, 160.0)] {
            let system = try BuiltInMolecules.alanineDipeptide(backbone: .init(phi: phi, psi: psi))
            let t = system.topology
            let named = Dictionary(uniqueKeysWithValues: t.backboneDihedrals().map { ($0.name, $0.atoms) })
            XCTAssertEqual(Set(named.keys), ["phi", "psi"])
            XCTAssertEqual(named["phi"]!.map { t.atoms[$0].name }, ["CY", "N", "CA", "C"])
            XCTAssertEqual(named["psi"]!.map { t.atoms[$0].name }, ["N", "CA", "C", "NT"])
            let value = { (q: [Int]) in
                DihedralCV(q[0], q[1], q[2], q[3], atomCount: t.atoms.count).value(system.positions)[0] * 180 / .pi
            }
            XCTAssertEqual(value(named["phi"]!), phi, accuracy: 1e-9)
            XCTAssertEqual(value(named["psi"]!), psi, accuracy: 1e-9)
        }
        // In a chain, each residue's φ and ψ carry its number.
        let deca = try BuiltInMolecules.decaAlanine().topology.backboneDihedrals().map(\.name)
        XCTAssertEqual(deca.count, 19)  // ψ1…ψ10 (the amide NT closes ψ10), φ2…φ10
        XCTAssertEqual(Array(deca.prefix(3)), ["psi1", "phi2", "psi2"])
    }

    /// L-BFGS from near each vacuum minimum ends within 10° of C7eq (−83°, 73°) and C7ax
    /// (72°, −60°), the CHARMM22 gas-phase minima without CMAP.
    func testMinimizedConformers() throws {
        for (start, minimum) in [((-70.0, 90.0), (-83.0, 73.0)), ((60.0, -50.0), (72.0, -60.0))] {
            let system = try BuiltInMolecules.alanineDipeptide(backbone: .init(phi: start.0, psi: start.1))
            let forceField = try system.forceField()
            let result = try LBFGSMinimizer(tolerance: 1e-4).minimize(forceField, from: system.positions)
            XCTAssertTrue(result.converged)
            let q = Dictionary(uniqueKeysWithValues: system.topology.backboneDihedrals().map { ($0.name, $0.atoms) })
            let angle = { (a: [Int]) in
                DihedralCV(a[0], a[1], a[2], a[3], atomCount: 22).value(result.positions)[0] * 180 / .pi
            }
            let (phi, psi) = (angle(q["phi"]!), angle(q["psi"]!))
            print(String(format: "alanine dipeptide minimum from (%.0f, %.0f): phi %.2f psi %.2f, E %.4f kcal/mol",
                         start.0, start.1, phi, psi, result.energy))
            XCTAssertEqual(phi, minimum.0, accuracy: 10)
            XCTAssertEqual(psi, minimum.1, accuracy: 10)
        }
    }
}
