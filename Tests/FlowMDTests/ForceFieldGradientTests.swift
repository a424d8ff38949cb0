import Foundation
import XCTest
@testable import FlowMD

/// Analytic gradients of every force-field term against central finite differences.
final class ForceFieldGradientTests: XCTestCase {
    /// Built deca-alanine displaced by a fixed pattern (every term away from its minimum).
    func displacedDecaAlanine() throws -> MolecularSystem {
        var system = try BuiltInMolecules.decaAlanine()
        for i in system.positions.indices { system.positions[i] += 0.1 * sin(1.7 * Double(i)) }
        return system
    }

    func testBondedTermGradients() throws {
        let system = try displacedDecaAlanine()
        let ff = try system.forceField()
        let x = system.positions
        checkGradient("bonds", x) { ff.bonds.evaluate($0, $1) }
        checkGradient("angles", x) { ff.angles.evaluate($0, $1) }
        checkGradient("Urey-Bradley", x) { ff.ureyBradley.evaluate($0, $1) }
        checkGradient("dihedrals", x) { ff.dihedrals.evaluate($0, $1) }
        checkGradient("impropers", x) { ff.impropers.evaluate($0, $1) }
    }

    func testNonbondedGradientsWithoutCutoff() throws {
        let system = try displacedDecaAlanine()
        let ff = try system.forceField()
        checkGradient("non-bonded pairs", system.positions) {
            let e = ff.pairs!.evaluate($0, $1)
            return e.lennardJones + e.coulomb
        }
        checkGradient("1-4 pairs", system.positions) {
            let e = ff.pairs14.evaluate($0, $1, cutoff: nil)
            return e.lennardJones + e.coulomb
        }
    }

    func testSwitchedAndShiftedCutoffGradients() throws {
        let system = try displacedDecaAlanine()
        // A short cutoff puts many pairs in the switching region and beyond.
        let scheme = CutoffScheme(cutoff: 7, switchDistance: 5, skin: 1)
        let ff = try system.forceField(ForceFieldOptions(nonbonded: .cutoff(scheme)))
        let x = system.positions
        let total = { (xp: UnsafePointer<Double>, gp: UnsafeMutablePointer<Double>) -> Double in
            let b = UnsafeBufferPointer(start: xp, count: x.count)
            var g = [Double](repeating: 0, count: x.count)
            let e = ff.energy(Array(b), gradient: &g)
            for i in g.indices { gp[i] = g[i] }
            return e
        }
        checkGradient("cutoff force field", x, total)
        var switched = 0, beyond = 0
        for i in 0..<104 { for j in (i + 1)..<104 {
            let r = DistanceCV(i, j, atomCount: 104).value(x)[0]
            if r > 5 && r < 7 { switched += 1 } else if r >= 7 { beyond += 1 }
        }}
        XCTAssertGreaterThan(switched, 500)
        XCTAssertGreaterThan(beyond, 500)
    }

    func testCutoffTermsVanishSmoothlyAtTheCutoff() throws {
        // Two charged LJ atoms: energy and force → 0 as r → rc from below.
        let atoms = [Atom(segment: "A", residueID: "1", residueName: "X", name: "A", type: "CT1", charge: 0.5, mass: 12),
                     Atom(segment: "A", residueID: "2", residueName: "X", name: "B", type: "O", charge: -0.5, mass: 16)]
        var p = ParameterSet()
        p.lennardJones["CT1"] = LennardJonesParameter(epsilon: 0.02, rminHalf: 2.275, epsilon14: 0.01, rminHalf14: 1.9)
        p.lennardJones["O"] = LennardJonesParameter(epsilon: 0.12, rminHalf: 1.7, epsilon14: 0.12, rminHalf14: 1.4)
        let ff = try ForceField(topology: Topology(atoms: atoms, bonds: []), parameters: p,
                                options: ForceFieldOptions(nonbonded: .cutoff(CutoffScheme(cutoff: 12, switchDistance: 10))))
        var g = [Double](repeating: 0, count: 6)
        let near = ff.evaluate([0, 0, 0, 12 - 1e-6, 0, 0], gradient: &g)
        XCTAssertEqual(near.lennardJones, 0, accuracy: 1e-12)
        XCTAssertEqual(near.coulomb, 0, accuracy: 1e-10)
        XCTAssertEqual(g[0], 0, accuracy: 1e-6)
        let outside = ff.evaluate([0, 0, 0, 12.5, 0, 0], gradient: &g)
        XCTAssertEqual(outside.total, 0)
        // Below the switching distance LJ is unmodified; Coulomb carries the shift (1 − r²/rc²)².
        let inside = ff.evaluate([0, 0, 0, 4, 0, 0], gradient: &g)
        let rmin = 2.275 + 1.7, eps = (0.02 * 0.12).squareRoot()
        XCTAssertEqual(inside.lennardJones, eps * (pow(rmin / 4, 12) - 2 * pow(rmin / 4, 6)), accuracy: 1e-12)
        XCTAssertEqual(inside.coulomb, 332.0637 * -0.25 / 4 * pow(1 - 16.0 / 144, 2), accuracy: 1e-10)
    }

    func testNBFIXAndOneFourScaling() throws {
        let text = """
        BONDS
        CT1 CT1 200.0 1.5
        ANGLES
        CT1 CT1 CT1 50.0 110.0
        DIHEDRALS
        X CT1 CT1 X 0.2 3 0.0
        NONBONDED e14fac 0.5
        CT1 0.0 -0.02 2.275 0.0 -0.01 1.9
        O   0.0 -0.12 1.70
        NBFIX
        CT1 O -0.3 3.1
        END
        """
        let p = try CharmmParameterReader.read(text: text)
        XCTAssertEqual(p.coulomb14Scale, 0.5)
        let atoms = ["CT1", "CT1", "CT1", "CT1", "O"].enumerated().map {
            Atom(segment: "S", residueID: "1", residueName: "X", name: "A\($0.offset)", type: $0.element,
                 charge: $0.offset == 0 ? 0.4 : ($0.offset == 3 ? -0.4 : 0), mass: 12)
        }
        var t = Topology(atoms: atoms, bonds: [Bond(0, 1), Bond(1, 2), Bond(2, 3)])
        t.angles = t.generatedAngles()
        t.dihedrals = t.generatedDihedrals()
        let x: [Double] = [0, 0, 0, 1.5, 0, 0, 2.0, 1.4, 0, 3.4, 1.9, 0.3, 0, 0, 4]
        let ff = try ForceField(topology: t, parameters: p)
        let e = ff.energyTerms(x)
        // NBFIX: ε = 0.3, Rmin = 3.1 for every CT1–O pair (atom 4 is O, unbonded).
        var lj = 0.0
        for i in 0..<4 {
            let r = DistanceCV(i, 4, atomCount: 5).value(x)[0]
            lj += 0.3 * (pow(3.1 / r, 12) - 2 * pow(3.1 / r, 6))
        }
        let r14 = DistanceCV(0, 3, atomCount: 5).value(x)[0]
        let lj14 = 0.01 * (pow(3.8 / r14, 12) - 2 * pow(3.8 / r14, 6))
        XCTAssertEqual(e.lennardJones14, lj14, accuracy: 1e-12)
        XCTAssertEqual(e.lennardJones, lj + lj14, accuracy: 1e-12)
        XCTAssertEqual(e.coulomb14, 0.5 * 332.0637 * -0.16 / r14, accuracy: 1e-10)
        let scaled = try ForceField(topology: t, parameters: p, options: ForceFieldOptions(lennardJones14Scale: 0.5, coulomb14Scale: 1))
        XCTAssertEqual(scaled.energyTerms(x).lennardJones14, 0.5 * lj14, accuracy: 1e-12)
        XCTAssertEqual(scaled.energyTerms(x).coulomb14, 332.0637 * -0.16 / r14, accuracy: 1e-10)
    }

    func testNeighborListMatchesAllPairsWithCutoff() throws {
        var system = try displacedDecaAlanine()
        let scheme = CutoffScheme(cutoff: 8, switchDistance: 6, skin: 1.5)
        let listed = try system.forceField(ForceFieldOptions(nonbonded: .cutoff(scheme)))
        let all = try system.forceField()
        var pairList = PairList()
        for i in 0..<104 { for j in (i + 1)..<104 where !NeighborList.contains(all.skip[i], Int32(j)) {
            pairList.append(i, j, all.nonbondedParameters)
        }}
        var random = RandomSourceForTests(seed: 7)
        for round in 0..<6 {
            // Moves of up to ~1 Å trigger rebuilds on some rounds and reuse on others.
            for i in system.positions.indices { system.positions[i] += 0.35 * random.symmetric() }
            var g1 = [Double](repeating: 0, count: 312), g2 = g1
            let e1 = listed.evaluate(system.positions, gradient: &g1)
            let (lj, coul) = system.positions.withUnsafeBufferPointer { xp in
                g2.withUnsafeMutableBufferPointer { pairList.evaluate(xp.baseAddress!, $0.baseAddress!, cutoff: scheme) }
            }
            XCTAssertEqual(e1.lennardJones - e1.lennardJones14, lj, accuracy: 1e-10, "round \(round)")
            XCTAssertEqual(e1.coulomb - e1.coulomb14, coul, accuracy: 1e-10, "round \(round)")
        }
        XCTAssertGreaterThan(listed.neighborList!.buildCount, 1)
        XCTAssertLessThan(listed.neighborList!.buildCount, 7)
    }

    func testVeryLongCutoffApproachesNoCutoff() throws {
        let system = try displacedDecaAlanine()
        let far = try system.forceField(ForceFieldOptions(nonbonded: .cutoff(CutoffScheme(cutoff: 3000, switchDistance: 2900))))
        let none = try system.forceField()
        let a = far.energyTerms(system.positions), b = none.energyTerms(system.positions)
        XCTAssertEqual(a.lennardJones, b.lennardJones, accuracy: 1e-12)
        XCTAssertEqual(a.coulomb, b.coulomb, accuracy: 1e-2)
    }
}

/// A tiny deterministic generator for test perturbations (independent of FlowLinalg's).
struct RandomSourceForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func symmetric() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) * 0x1.0p-53 * 2 - 1
    }
}
