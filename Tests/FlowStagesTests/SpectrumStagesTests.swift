import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
@testable import FlowStages

/// `grid-spectrum` against analytic and independently discretized references, and
/// `diffusion-map` (TMDmap) against `grid-spectrum` on Müller–Brown samples, run as workflows.
final class SpectrumStagesTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() { ws = LearningWorkspace() }
    override func tearDown() { ws.remove() }

    func eigenvalues(_ workflow: String, _ stage: String) throws -> [Double] {
        let f = try ws.open(workflow, stage)
        defer { try? f.close() }
        return try f.root.read("eigenvalues", as: Double.self).values
    }

    /// The generator of V at β on [a, b] by central differences in flux form with π evaluated at
    /// the cell faces (not SqRA's geometric mean of the neighbouring cells), symmetrized with π^{1/2}
    /// and solved densely: an independent discretization of the same operator.
    func fluxFormEigenvalues(_ v: (Double) -> Double, beta: Double, range: ClosedRange<Double>, cells n: Int, count: Int) throws -> [Double] {
        let h = (range.upperBound - range.lowerBound) / Double(n)
        let centre = { (i: Int) in range.lowerBound + (Double(i) + 0.5) * h }
        let pi = (0..<n).map { exp(-beta * v(centre($0))) }
        let face = (0..<(n - 1)).map { exp(-beta * v(range.lowerBound + Double($0 + 1) * h)) }
        var s = Matrix(rows: n, cols: n)
        for i in 0..<n {
            var diagonal = 0.0
            if i > 0 { diagonal += face[i - 1] }
            if i < n - 1 {
                diagonal += face[i]
                let off = -face[i] / (pi[i] * pi[i + 1]).squareRoot()
                s[i, i + 1] = off / (beta * h * h)
                s[i + 1, i] = off / (beta * h * h)
            }
            s[i, i] = diagonal / (pi[i] * beta * h * h)
        }
        return Array(try s.symmetricEigen(.smallest(count + 1)).values.dropFirst())
    }

    func testHarmonicOscillatorHasTheHermiteSpectrum() throws {
        // V = x²/2: λ = 1, 2, 3 for every β.
        ws.write("ou.yaml", """
        name: ou
        systems:
          ou: {kind: harmonic, beta: 2, params: {stiffness: [1]}}
        stages:
          grid: {kind: grid-spectrum, system: ou, params: {points: 400, count: 3}}
        """)
        XCTAssertEqual(try ws.run("ou.yaml").exitCode, 0)
        let lambda = try eigenvalues("ou", "grid")
        print("grid-spectrum OU: \(lambda)")
        for (k, value) in lambda.enumerated() { XCTAssertEqual(value, Double(k + 1), accuracy: 2e-3 * Double(k + 1)) }
    }

    func testDoubleWellMatchesAnIndependentDiscretization() throws {
        ws.write("dw.yaml", """
        name: dw
        systems:
          dw: {kind: double-well, beta: 3, params: {barrier: 1}}
        stages:
          grid: {kind: grid-spectrum, system: dw, params: {points: 400, count: 3, box: [[-2.5, 2.5]]}}
        """)
        XCTAssertEqual(try ws.run("dw.yaml").exitCode, 0)
        let lambda = try eigenvalues("dw", "grid")
        let reference = try fluxFormEigenvalues({ ($0 * $0 - 1) * ($0 * $0 - 1) }, beta: 3, range: -2.5...2.5, cells: 2000, count: 3)
        print("grid-spectrum double well: \(lambda), flux-form reference \(reference)")
        for k in 0..<3 { XCTAssertEqual(lambda[k] / reference[k], 1, accuracy: 2e-3) }
        XCTAssertLessThan(lambda[0], 0.2 * lambda[1], "the barrier-crossing mode is well separated")
    }

    /// Müller–Brown (scale 0.05, β = 1): the grid reference converges (second order), and TMDmap
    /// of exact Boltzmann samples reproduces its slowest eigenvalue within 10% with an eigenvector
    /// that correlates > 0.95 with the grid eigenfunction interpolated at the samples.
    func testMuellerBrownGridConvergesAndTMDmapAgreesWithIt() throws {
        ws.write("mb.yaml", """
        name: mb
        systems:
          mb: {kind: mueller-brown, beta: 1, params: {scale: 0.05}}
        stages:
          sample:
            kind: simulate
            system: mb
            params: {integrator: euler-maruyama, dt: 1.0e-5, steps: 1, stride: 1, walkers: 10000, initial: boltzmann}
          dmap:
            kind: diffusion-map
            system: mb
            inputs: {data: sample}
            params: {components: 2}
          grid:
            kind: grid-spectrum
            system: mb
            inputs: {data: sample}
            params: {points: 120, count: 2}
        """)
        XCTAssertEqual(try ws.run("mb.yaml").exitCode, 0)
        let grid = try ws.open("mb", "grid"), dmap = try ws.open("mb", "dmap")
        defer { try? grid.close(); try? dmap.close() }
        let lambda = try grid.root.read("eigenvalues", as: Double.self).values
        let half = try grid.root.doubles(attribute: "eigenvalues_half_resolution")
        let tmd = try dmap.root.read("generator_eigenvalues", as: Double.self).values
        print("Müller–Brown grid λ = \(lambda) (half resolution \(half)), TMDmap λ = \(tmd)")
        XCTAssertEqual(lambda[0], 0.2259, accuracy: 0.003)
        XCTAssertEqual(half[0] / lambda[0], 1, accuracy: 0.01)
        XCTAssertEqual(tmd[0] / lambda[0], 1, accuracy: 0.1)
        let phi = try dmap.root.matrix("eigenvectors"), onSamples = try grid.root.matrix("values")
        XCTAssertEqual(phi.rows, onSamples.rows)
        XCTAssertGreaterThan(abs(Statistics.correlation(phi.column(0), onSamples.column(0))), 0.95)
        XCTAssertEqual(try dmap.root.read("source_index", as: Int64.self).values.count, phi.rows)
        XCTAssertEqual(try grid.root.read("grid/values", as: Double.self).shape, [120, 120, 2])
    }

    /// TMDmap on a δ-net of 2·10⁴ Müller–Brown Boltzmann samples: /frames extends the map to every
    /// sample (each representative covers itself), and grid-spectrum's `match` pairs φ₁ with the
    /// grid's f₁ (|correlation| > 0.95, λ₁ within 10 %) through /frames/source_index.
    func testDeltaNetMapExtendsToEverySampleAndMatchesTheGridMode() throws {
        ws.write("mbnet.yaml", """
        name: mbnet
        systems:
          mb: {kind: mueller-brown, beta: 1, params: {scale: 0.05}}
        stages:
          sample:
            kind: simulate
            system: mb
            params: {integrator: euler-maruyama, dt: 1.0e-5, steps: 1, stride: 1, walkers: 20000, initial: boltzmann}
          dmap:
            kind: diffusion-map
            system: mb
            inputs: {data: sample}
            params: {components: 1, localized_modes: keep, subsample: {method: delta-net, size: 1500}}
          grid:
            kind: grid-spectrum
            system: mb
            inputs: {data: sample, dmap: dmap}
            params: {points: 80, count: 3, refinement: false, match: [{label: tmd, input: dmap, dataset: /frames/eigenvectors}]}
        """)
        XCTAssertEqual(try ws.run("mbnet.yaml").exitCode, 0)
        let grid = try ws.open("mbnet", "grid"), dmap = try ws.open("mbnet", "dmap")
        defer { try? grid.close(); try? dmap.close() }
        let source = try dmap.root.read("source_index", as: Int64.self).values.map { Int($0) }
        let frames = try dmap.root.matrix("frames/eigenvectors")
        let covering = try dmap.root.read("frames/representative", as: Int64.self).values.map { Int($0) }
        XCTAssertEqual(frames.rows, 20_000)
        XCTAssertEqual(Double(source.count), 1500, accuracy: 80)
        for (row, s) in source.enumerated() { XCTAssertEqual(covering[s], row) }
        XCTAssertEqual(try dmap.root.read("mass", as: Double.self).values.reduce(0, +), 1, accuracy: 1e-12)
        let mode = try grid.root.read("match/tmd/grid_mode", as: Double.self).values
        let overlap = try grid.root.read("match/tmd/overlap", as: Double.self).values
        let matched = try grid.root.read("match/tmd/grid_eigenvalue", as: Double.self).values
        let lambda = try dmap.root.read("generator_eigenvalues", as: Double.self).values
        print("δ-net TMDmap λ₁ = \(lambda[0]) ↔ grid λ\(mode[0]) = \(matched[0]), |corr| \(overlap[0])")
        XCTAssertEqual(mode, [1])
        XCTAssertGreaterThan(overlap[0], 0.95)
        XCTAssertEqual(lambda[0] / matched[0], 1, accuracy: 0.1)
        XCTAssertEqual(try grid.root.read("modes", as: Double.self).shape, [3, 4])
    }

    func testBadSpectrumParametersAreReportedAtValidation() {
        ws.write("bad.yaml", """
        name: bad
        systems:
          mb: {kind: mueller-brown}
        stages:
          dmap: {kind: diffusion-map, system: mb, inputs: {data: {file: x.h5}}, params: {epsilon: wide, method: tmdmap}}
          grid: {kind: grid-spectrum, system: mb, params: {points: 4, box: [[1, 0], [0, 1]]}}
        """)
        do {
            _ = try ws.load("bad.yaml")
            XCTFail("expected validation errors")
        } catch FlowError.invalidWorkflow(let diagnostics) {
            let text = diagnostics.map(\.description)
            print(text.joined(separator: "\n"))
            for key in ["epsilon", "method", "points", "box"] {
                XCTAssertTrue(text.contains { $0.contains(key) && !$0.contains("\n") }, "no one-line error about \(key): \(text)")
            }
            XCTAssertTrue(text.contains { $0.contains("params.method: unknown value 'tmdmap'; expected one of: tmd, vanilla") }, "\(text)")
            XCTAssertTrue(text.contains { $0.contains("params.epsilon: expected 'auto', 'kernel-sum' or a positive number, got 'wide'") }, "\(text)")
            XCTAssertFalse(text.contains { $0.contains("DecodingError") }, "\(text)")
        } catch {
            XCTFail("\(error)")
        }
    }

    func testMismatchedInputsFailInOneLine() throws {
        // Features (3 columns) with target: system (2 coordinates); target: weights without /weights.
        var rng = RandomSource(seed: 3)
        let x = Matrix(rows: 300, cols: 3, storage: (0..<900).map { _ in rng.normal() })
        try ws.writeHDF5("features.h5", matrices: ["x": x])
        ws.write("mismatch.yaml", """
        name: mismatch
        systems:
          mb: {kind: mueller-brown}
        stages:
          on_system: {kind: diffusion-map, system: mb, inputs: {data: {file: features.h5}}}
          on_weights: {kind: diffusion-map, system: mb, inputs: {data: {file: features.h5}}, params: {target: weights}}
          on_energy: {kind: diffusion-map, system: mb, inputs: {data: {file: features.h5}}, params: {target: energy}}
        """)
        let summary = try ws.run("mismatch.yaml")
        XCTAssertNotEqual(summary.exitCode, 0)
        for (stage, words) in [("on_system", "3 columns"), ("on_weights", "no /weights"), ("on_energy", "no /energy")] {
            let message = ws.failure(of: stage, in: summary) ?? ""
            XCTAssertTrue(message.contains(words), "\(stage): \(message)")
            XCTAssertFalse(message.contains("\n"), message)
        }
    }
}
