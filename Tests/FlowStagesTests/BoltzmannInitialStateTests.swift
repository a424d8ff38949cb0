import XCTest
import FlowHDF5
import FlowMD

/// `initial: boltzmann` draws exact samples of e^{−βV}: their statistics match quadrature.
final class BoltzmannInitialStateTests: XCTestCase {
    func testMuellerBrownBoltzmannSamplesMatchQuadrature() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("b.yaml", """
        name: b
        systems: {mb: {kind: mueller-brown, beta: 1.0}}
        stages:
          exact: {kind: simulate, system: mb, params: {walkers: 20000, steps: 1, stride: 1, dt: 1.0e-12, initial: boltzmann}}
        """)
        let r = try cli.run(["run", "b.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let f = try HDF5File.open(cli.workspace + "/results/b/exact.h5")
        defer { try? f.close() }
        let x = try f.root.read("x", as: Double.self).values
        let n = x.count / 2
        let upper = Double(stride(from: 1, to: x.count, by: 2).filter { x[$0] > 0.9 }.count) / Double(n)
        // Quadrature of e^{−V} over the same box (midpoint rule, 600 × 500 cells).
        let mb = MuellerBrown(scale: 0.05)
        var total = 0.0, inUpper = 0.0
        for i in 0..<600 {
            let px = -1.5 + 2.7 * (Double(i) + 0.5) / 600
            for j in 0..<500 {
                let py = -0.2 + 2.2 * (Double(j) + 0.5) / 500
                let w = exp(-mb.energy([px, py]))
                total += w
                if py > 0.9 { inUpper += w }
            }
        }
        let exact = inUpper / total
        let sigma = (exact * (1 - exact) / Double(n)).squareRoot()
        XCTAssertEqual(upper, exact, accuracy: 4 * sigma, "fraction of samples with y > 0.9")
        let uniformFraction = 1.1 / 2.2
        XCTAssertGreaterThan(abs(uniformFraction - exact), 20 * sigma, "the test can tell Boltzmann from uniform samples")
    }
}
