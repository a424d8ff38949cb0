import XCTest
import FlowLinalg
import FlowMD
import FlowNN
@testable import FlowStages

/// The molecular tape operations of the cGAN: the CHARMM energy by group, the end-to-end spring
/// and the torsion features, each against central finite differences of its own values, and the
/// energies against `ForceField.evaluate` (what `flow energy` prints).
final class LearningOpsTests: XCTestCase {
    /// flow's own deca-alanine helix and two frames displaced from it by up to 0.1 Å.
    func decaAlanine() throws -> (ForceField, Topology, Matrix) {
        let molecule = try MoleculeSource.builtIn(.decaAlanine).load()
        var rng = RandomSource(seed: 4)
        let frames = (0..<2).flatMap { _ in molecule.positions.map { $0 + 0.1 * (2 * rng.uniform() - 1) } }
        return (try molecule.forceField(), molecule.topology, Matrix(rows: 2, cols: molecule.positions.count, storage: frames))
    }

    /// d(Σ w ⊙ op(x))/dx from the tape against central differences, for random weights w.
    func assertVJPMatchesFiniteDifferences(at x: Matrix, h: Double = 1e-6, tolerance: Double = 1e-6, coordinates: [Int]? = nil,
                                           file: StaticString = #filePath, line: UInt = #line, _ op: (Variable) -> Variable) {
        var rng = RandomSource(seed: 9)
        let tape = Tape()
        let input = tape.input(x)
        let y = op(input)
        let w = Matrix(rows: y.rows, cols: y.cols, storage: (0..<y.count).map { _ in rng.uniform() - 0.5 })
        tape.backward(tape.sum(y * tape.constant(w)))
        let analytic = tape.gradient(input)
        func loss(_ m: Matrix) -> Double {
            let t = Tape()
            let v = t.value(op(t.constant(m)))
            return zip(v.storage, w.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for i in coordinates ?? Array(0..<x.count) {
            var plus = x, minus = x
            plus.storage[i] += h
            minus.storage[i] -= h
            let fd = (loss(plus) - loss(minus)) / (2 * h)
            let a = analytic.storage[i]
            XCTAssertLessThan(abs(fd - a) / max(1, abs(fd), abs(a)), tolerance, "coordinate \(i): analytic \(a), finite difference \(fd)", file: file, line: line)
        }
    }

    func testEnergyOpEqualsTheForceFieldTermByTermAndItsGroupsSumToTheTotal() throws {
        let (ff, _, x) = try decaAlanine()
        let op = ForceFieldEnergyOp(forceField: ff)
        let (energies, gradients, terms) = op.evaluate(x)
        for s in 0..<x.rows {
            var g = [Double](repeating: 0, count: ff.dimension)
            let reference = ff.evaluate(Array(x.storage[(s * x.cols)..<((s + 1) * x.cols)]), gradient: &g)
            XCTAssertEqual(terms[s], reference)
            let row = energies.storage[(s * 7)..<((s + 1) * 7)]
            XCTAssertEqual(Array(row), [reference.bond, reference.angle, reference.ureyBradley, reference.dihedral, reference.improper,
                                        reference.cmap, reference.lennardJones + reference.coulomb])
            XCTAssertEqual(row.reduce(0, +), reference.total, accuracy: 1e-9 * abs(reference.total))
            for c in 0..<ff.dimension {
                let sum = (0..<7).reduce(0.0) { $0 + gradients[(s * 7 + $1) * ff.dimension + c] }
                XCTAssertEqual(sum, g[c], accuracy: 1e-9 * max(1, abs(g[c])))
            }
        }
        XCTAssertGreaterThan(terms[0].ureyBradley, 0, "every CHARMM term is present")
        XCTAssertNotEqual(terms[0].improper, 0)
        XCTAssertNotEqual(terms[0].lennardJones14, 0)
    }

    func testEnergyOpGradientMatchesFiniteDifferences() throws {
        let (ff, _, x) = try decaAlanine()
        let op = ForceFieldEnergyOp(forceField: ff)
        var terms: [EnergyTerms] = []
        // Every coordinate of the first 12 atoms of both frames, and a spread of the rest.
        let picked = Array(0..<36) + Array(stride(from: 36, to: x.count, by: 7))
        assertVJPMatchesFiniteDifferences(at: x, h: 1e-5, tolerance: 1e-6, coordinates: picked) { op($0, terms: &terms) }
        XCTAssertEqual(terms.count, 2)
    }

    func testSpringTorsionAndBondFeaturesMatchFiniteDifferences() throws {
        let (_, topology, x) = try decaAlanine()
        let ca = topology.atoms.indices.filter { topology.atoms[$0].name == "CA" }
        let spring = DistanceSpringOp(atomA: ca.first!, atomB: ca.last!, k: 1, from: 12, to: 34)
        assertVJPMatchesFiniteDifferences(at: x) { spring($0, times: [0.2, 0.9]) }
        let r = spring.distances(x)
        let t = Tape()
        let v = t.value(spring(t.constant(x), times: [0.2, 0.9]))
        XCTAssertEqual(v.storage[1], 0.5 * (12 + 22 * 0.9 - r[1]) * (12 + 22 * 0.9 - r[1]), accuracy: 1e-12)
        for encoding in [TorsionFeatureOp.Encoding.angle, .sinCos] {
            let features = TorsionFeatureOp(topology: topology, encoding: encoding)
            assertVJPMatchesFiniteDifferences(at: x, coordinates: Array(stride(from: 0, to: x.count, by: 5))) { features($0) }
        }
        let bonds = BondLengthOp(bonds: topology.bonds)
        assertVJPMatchesFiniteDifferences(at: x) { bonds($0) }
        let b = topology.bonds[7]
        let length = (0..<3).reduce(0.0) { $0 + (x.storage[3 * b.i + $1] - x.storage[3 * b.j + $1]) * (x.storage[3 * b.i + $1] - x.storage[3 * b.j + $1]) }.squareRoot()
        XCTAssertEqual(bonds.values(x).storage[7], length, accuracy: 1e-14)
        let features = TorsionFeatureOp(topology: topology, encoding: .sinCos)
        XCTAssertEqual(Set(features.dihedrals.map(\.canonical)).count, features.dihedrals.count)
        let angles = TorsionFeatureOp(topology: topology, encoding: .angle).values(x)
        let pairs = features.values(x)
        for n in 0..<features.dihedrals.count {
            let d = features.dihedrals[n]
            let cv = DihedralCV(d.i, d.j, d.k, d.l, atomCount: topology.atoms.count).value(Array(x.storage.prefix(x.cols)))[0]
            XCTAssertEqual(angles.storage[n], cv, accuracy: 1e-12)
            XCTAssertEqual(pairs.storage[2 * n], cos(cv), accuracy: 1e-12)
            XCTAssertEqual(pairs.storage[2 * n + 1], sin(cv), accuracy: 1e-12)
        }
    }

    func testHeavyAtomDistanceFeaturesMatchFiniteDifferences() throws {
        let (_, topology, x) = try decaAlanine()
        let pairs = DiscriminatorFeatures.heavyAtomPairs(topology)
        let heavy = topology.atoms.filter { $0.element != "H" }.count
        XCTAssertEqual(pairs.count, heavy * (heavy - 1) / 2)
        XCTAssertTrue(pairs.allSatisfy { topology.atoms[$0.i].element != "H" && topology.atoms[$0.j].element != "H" && $0.i < $0.j })
        let features = DiscriminatorFeatures(torsions: TorsionFeatureOp(topology: topology, encoding: .sinCos), bonds: nil,
                                             distances: BondLengthOp(bonds: pairs))
        XCTAssertEqual(features.width, 2 * features.torsions.dihedrals.count + pairs.count)
        assertVJPMatchesFiniteDifferences(at: x, coordinates: Array(stride(from: 0, to: x.count, by: 11))) { features($0) }
        let values = features.values(x)
        let last = pairs[pairs.count - 1]
        let r = (0..<3).reduce(0.0) { $0 + (x.storage[3 * last.i + $1] - x.storage[3 * last.j + $1]) * (x.storage[3 * last.i + $1] - x.storage[3 * last.j + $1]) }.squareRoot()
        XCTAssertEqual(values.storage[values.cols - 1], r, accuracy: 1e-14)
    }

    /// Real features at 8 times, `perTime` samples each, from N(m(t), 1) per column.
    func conditionalSamples(seed: UInt64, perTime: Int = 8) -> (Matrix, [Double], Matrix) {
        var rng = RandomSource(seed: seed)
        let times = (0..<(8 * perTime)).map { Double($0 / perTime) / 7 }
        let mean = Matrix(rows: times.count, cols: 5, storage: times.flatMap { t in (0..<5).map { 3 * t + Double($0) } })
        var x = mean
        for i in x.storage.indices { x.storage[i] += rng.normal() }
        return (x, times, mean)
    }

    func testConditionalMMDMakesACollapsedGeneratorPayAndIsNearZeroOnTheLaw() {
        let (real, times, mean) = conditionalSamples(seed: 1)
        let mmd = ConditionalMMD(timeBandwidth: 0.1, realFeatures: real)
        func value(_ fake: Matrix) -> Double { let t = Tape(); return t.scalar(mmd(real: real, fake: t.constant(fake), times: times)) }
        let fresh = (2...5).map { value(conditionalSamples(seed: $0).0) }
        let collapsed = value(mean)
        for f in fresh {
            XCTAssertGreaterThan(collapsed, 4 * abs(f), "one frame per t (the conditional mean) against an independent draw of the same law")
        }
        XCTAssertGreaterThan(value(real.storage.indices.reduce(into: real) { $0.storage[$1] += 3 }), collapsed, "a shifted law")
    }

    func testConditionalMMDGradientMatchesFiniteDifferences() {
        let (real, times, _) = conditionalSamples(seed: 3, perTime: 2)
        let fake = conditionalSamples(seed: 4, perTime: 2).0
        let mmd = ConditionalMMD(timeBandwidth: 0.2, realFeatures: real)
        assertVJPMatchesFiniteDifferences(at: fake, h: 1e-5, tolerance: 1e-7) { mmd(real: real, fake: $0, times: times) }
    }

    func testTimeProfileAveragesEqualTimesAndInterpolates() {
        let profile = TimeProfile(times: [0, 0.5, 0, 1, 0.5], rows: [[1, 10], [3, 30], [3, 20], [7, 70], [5, 50]])
        XCTAssertEqual(profile.times, [0, 0.5, 1])
        XCTAssertEqual(profile(0), [2, 15])
        XCTAssertEqual(profile(0.25), [3, 27.5])
        XCTAssertEqual(profile(0.75), [5.5, 55])
        XCTAssertEqual(profile(-1), [2, 15])
        XCTAssertEqual(profile(2), [7, 70])
        var spring = DistanceSpringOp(atomA: 0, atomB: 1, k: 2, from: 12, to: 34)
        spring.profile = TimeProfile(times: [0, 1], rows: [[14], [30]])
        XCTAssertEqual(spring.center(0.5), 22)
        let x = Matrix(rows: 1, cols: 6, storage: [0, 0, 0, 3, 4, 0])
        let t = Tape()
        let expected: Double = 0.5 * 2 * 17 * 17
        XCTAssertEqual(t.value(spring(t.constant(x), times: [0.5])).storage[0], expected, accuracy: 1e-12)
        assertVJPMatchesFiniteDifferences(at: x) { spring($0, times: [0.25]) }
    }

    /// A frame rigidly rotated and translated, row-major 3 × 3 rotation.
    func moved(_ frame: ArraySlice<Double>, _ r: Matrix, by shift: [Double]) -> [Double] {
        var out: [Double] = []
        for a in stride(from: frame.startIndex, to: frame.endIndex, by: 3) {
            for i in 0..<3 {
                var v = shift[i]
                for j in 0..<3 { v += r.storage[3 * i + j] * frame[a + j] }
                out.append(v)
            }
        }
        return out
    }

    /// The MSD after superposition: zero for a rigidly moved copy, unchanged when the target moves
    /// rigidly, below the MSD of the centred frames as they lie, and its gradient (through the
    /// optimal rotation, by the envelope theorem) against finite differences for targets far from
    /// the frames' orientation, which a wrong rotation derivative would fail.
    func testAlignedDeviationIsRigidMotionInvariantAndItsGradientMatchesFiniteDifferences() throws {
        let (_, _, x) = try decaAlanine()
        var rng = RandomSource(seed: 12)
        let distorted = x.storage.map { $0 + 0.4 * rng.normal() }
        let rotations = [rng.rotation3D(), rng.rotation3D()]
        let targets = Matrix(rows: 2, cols: x.cols, storage: (0..<2).flatMap { s in
            moved(distorted[(s * x.cols)..<((s + 1) * x.cols)], rotations[s], by: [3, -1, 2]) })
        let op = AlignedDeviationOp()
        assertVJPMatchesFiniteDifferences(at: x, h: 1e-5, tolerance: 1e-7, coordinates: Array(stride(from: 0, to: x.count, by: 3))) { op($0, targets: targets) }
        let t = Tape()
        let msd = t.value(op(t.constant(x), targets: targets)).storage
        for s in 0..<2 {
            let frame = GeneratedPathAnalysis.row(x, s)
            XCTAssertLessThan(AlignedDeviationOp.deviation(frame, moved(frame, rotations[s], by: [1, 2, 3])[...]).msd, 1e-20)
            XCTAssertEqual(msd[s], AlignedDeviationOp.deviation(frame, distorted[(s * x.cols)..<((s + 1) * x.cols)]).msd, accuracy: 1e-10)
            let a = RigidAlignment.centered(GeneratedPathAnalysis.atoms(frame))
            let b = RigidAlignment.centered(GeneratedPathAnalysis.atoms(GeneratedPathAnalysis.row(targets, s)))
            let unaligned = RigidAlignment.rmsd(a, b)
            XCTAssertLessThan(msd[s], unaligned * unaligned)
            XCTAssertGreaterThan(msd[s], 3 * 0.4 * 0.4 * 0.8, "about 3σ² per atom for independent noise of σ = 0.4 Å")
        }
    }

    /// The reference deca-alanine (NAMD SMD tutorial PSF/PDB with the CHARMM27 subset): the op's
    /// energies are those of `flow energy --psf --prm --pdb` for the same frame.
    func testEnergyOpOnTheReferenceMoleculeEqualsFlowEnergy() throws {
        let dir = try sharedDecaAlanineDirectory()
        let source = MoleculeSource.files(psf: dir + "/da.psf", parameters: [dir + "/par_all27_prot_lipid_cmap_decaalanine_subset.prm"], pdb: dir + "/smd_ini.pdb")
        let molecule = try source.load()
        let single = try SinglePointEnergy(molecule, title: "reference")
        let op = ForceFieldEnergyOp(forceField: try molecule.forceField())
        let (energies, _, terms) = op.evaluate(Matrix(rows: 1, cols: molecule.positions.count, storage: molecule.positions))
        XCTAssertEqual(terms[0], single.terms)
        XCTAssertEqual(energies.storage.reduce(0, +), single.terms.total, accuracy: 1e-9 * abs(single.terms.total))
    }
}
