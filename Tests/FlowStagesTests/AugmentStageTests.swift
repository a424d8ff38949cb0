import XCTest
import FlowHDF5
import FlowLinalg
import FlowMD
@testable import FlowStages

/// `augment`: rigid rotations keep every pairwise distance, centre the frames, are uniform on
/// SO(3)/SO(2), and the stage's output is a function of its seed.
final class AugmentStageTests: XCTestCase {
    /// A fixed 5-particle 3-D configuration with unequal masses.
    let frame: [Double] = [0.3, -1.2, 2.0, 1.7, 0.4, -0.9, -2.2, 1.1, 0.5, 0.8, 2.6, 1.4, -0.6, -0.3, -1.8]
    let masses: [Double] = [12, 1, 16, 14, 1]

    func distances(_ x: ArraySlice<Double>, _ d: Int) -> [Double] {
        let p = Array(x), n = p.count / d
        var out: [Double] = []
        for i in 0..<n { for j in (i + 1)..<n {
            out.append((0..<d).reduce(0.0) { $0 + (p[i * d + $1] - p[j * d + $1]) * (p[i * d + $1] - p[j * d + $1]) }.squareRoot())
        }}
        return out
    }

    func testRotationsKeepDistancesAndTheCentreOfMassIsAtTheOrigin() {
        let aug = FrameAugmentation(layout: .atoms(5), copies: 50, centering: .mass, masses: masses)
        let out = aug.augment(Matrix(rows: 1, cols: 15, storage: frame), random: RandomSource(seed: 7))
        let reference = distances(frame[...], 3)
        for c in 0..<out.rows {
            let row = out.storage[(c * 15)..<((c + 1) * 15)]
            for (a, b) in zip(distances(row, 3), reference) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            for axis in 0..<3 {
                let com = (0..<5).reduce(0.0) { $0 + masses[$1] * row[row.startIndex + 3 * $1 + axis] } / masses.reduce(0, +)
                XCTAssertEqual(com, 0, accuracy: 1e-12)
            }
        }
    }

    func testPlanarRotationsInCoordinateMajorLayoutKeepDistancesAndCentroid() {
        let layout = ParticleLayout(particles: 4, spatialDimension: 2, order: .coordinateMajor)
        let x: [Double] = [0, 1, 3, -1, 2, 0.5, -1, 4]   // x1…x4, y1…y4
        let aug = FrameAugmentation(layout: layout, copies: 20, centering: .centroid, masses: [])
        let out = aug.augment(Matrix(rows: 1, cols: 8, storage: x), random: RandomSource(seed: 3))
        let interleaved = { (v: ArraySlice<Double>) in Array((0..<4).flatMap { [v[v.startIndex + $0], v[v.startIndex + 4 + $0]] })[...] }
        let reference = distances(interleaved(x[...]), 2)
        for c in 0..<out.rows {
            let row = out.storage[(c * 8)..<((c + 1) * 8)]
            for (a, b) in zip(distances(interleaved(row), 2), reference) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            XCTAssertEqual(row.prefix(4).reduce(0, +), 0, accuracy: 1e-12)
            XCTAssertEqual(row.suffix(4).reduce(0, +), 0, accuracy: 1e-12)
        }
    }

    /// Under the Haar measure E[R u] = 0 for every u, and each component of R u has variance
    /// |u|²/d: the mean over n draws must be within 3σ/√n of 0 (a fixed rotation or a
    /// non-uniform angle fails this).
    func testRotationsAreUniform() {
        let n = 10_000
        for (d, us) in [(3, [[1.0, 0, 0], [0, 0, 1], [0.6, -0.8, 0], [1, 2, 3]]), (2, [[1.0, 0], [0.3, -2]])] {
            for u in us {
                let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let aug = FrameAugmentation(layout: ParticleLayout(particles: 1, spatialDimension: d, order: .interleaved),
                                            copies: n, centering: .none, masses: [])
                let out = aug.augment(Matrix(rows: 1, cols: d, storage: u), random: RandomSource(seed: 11))
                let sigma = norm / Double(d).squareRoot()
                for a in 0..<d {
                    let mean = (0..<n).reduce(0.0) { $0 + out.storage[$1 * d + a] } / Double(n)
                    XCTAssertLessThan(abs(mean), 3 * sigma / Double(n).squareRoot(), "d = \(d), u = \(u), axis \(a)")
                }
                // A biased sampler could have mean 0 and the wrong spread: check the second moment too.
                let second = (0..<n).reduce(0.0) { $0 + out.storage[$1 * d] * out.storage[$1 * d] } / Double(n)
                XCTAssertEqual(second, sigma * sigma, accuracy: 0.05 * sigma * sigma, "d = \(d), u = \(u)")
            }
        }
    }

    func testNormalizedTimeRunsFromZeroToOneInEveryReplica() {
        XCTAssertEqual(FrameAugmentation.normalizedTime(replicaOf: [0, 0, 0, 1, 1, 1, 1, 2]), [0, 0.5, 1, 0, 1.0 / 3, 2.0 / 3, 1, 0])
    }

    /// The stage on butane SMD-like frames: topology passed through, copies in order, the same
    /// bits for the same seed and different bits for another.
    func testStageIsDeterministicForASeedAndPassesTheTopologyThrough() throws {
        let ws = MolecularWorkspace()
        defer { ws.remove() }
        ws.write("a.yaml", """
        name: a
        seed: 5
        systems: {butane: {kind: charmm, params: {molecule: butane}}}
        stages:
          md: {kind: simulate, system: butane, params: {integrator: langevin-baoab, dt: 0.001, steps: 40, stride: 10, replicas: 2}}
          aug: {kind: augment, inputs: {data: md}, params: {copies: 3}}
        """)
        XCTAssertEqual(try ws.run("a.yaml").exitCode, 0)
        func read(_ path: String) throws -> (x: [Double], t: [Double], source: [Int64], atoms: Int) {
            let f = try HDF5File.open(path)
            defer { try? f.close() }
            return (try f.root.read("x", as: Double.self).values, try f.root.read("condition", as: Double.self).values,
                    try f.root.read("source_index", as: Int64.self).values, try Topology(hdf5: f.root.group("topology")).atoms.count)
        }
        let first = try read(ws.root + "/results/a/aug.h5")
        XCTAssertEqual(first.atoms, 14)
        XCTAssertEqual(first.source, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7])
        let frameTimes: [Double] = [0, 1.0 / 3, 2.0 / 3, 1, 0, 1.0 / 3, 2.0 / 3, 1]
        XCTAssertEqual(first.t, frameTimes.flatMap { t -> [Double] in [t, t, t] })
        let copy = ws.root + "/again.h5"
        try FileManager.default.copyItem(atPath: ws.root + "/results/a/aug.h5", toPath: copy)
        XCTAssertEqual(try ws.run("a.yaml", set: ["aug.params.center=centroid"]).exitCode, 0)
        XCTAssertEqual(try ws.run("a.yaml").exitCode, 0)
        XCTAssertEqual(try read(ws.root + "/results/a/aug.h5").x, try read(copy).x, "same key, same bits")
        XCTAssertEqual(try ws.run("a.yaml", set: ["seed=6"]).exitCode, 0)
        XCTAssertNotEqual(try read(ws.root + "/results/a/aug.h5").x, first.x, "another seed, other rotations")
    }
}
