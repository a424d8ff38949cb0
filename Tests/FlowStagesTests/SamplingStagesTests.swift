import Foundation
import XCTest
import FlowHDF5

/// `transition-rates` and the report's heatmap through the CLI: the /rates table names its
/// quantities, satisfies ν_AB = ρ_A k_AB, and bad state or figure parameters fail with one line
/// naming the parameter.
final class SamplingStagesTests: XCTestCase {
    let cli = FlowCLI()

    override func tearDown() { cli.remove() }

    let workflow = """
    name: dw
    seed: 4
    systems:
      dw: {kind: double-well, beta: 3.0}
      mb: {kind: mueller-brown, beta: 1.0}
    stages:
      rates:
        kind: transition-rates
        system: dw
        params:
          integrator: euler-maruyama
          dt: 1.0e-3
          steps: 200000
          walkers: 4
          initial: left
          states:
            - {name: left, cvs: [x1], lower: [-2.0], upper: [-0.7]}
            - {name: right, cvs: [x1], center: [1.0], radii: [0.3]}
      sample:
        kind: simulate
        system: mb
        params: {integrator: mala, dt: 1.0e-4, steps: 20000, stride: 20, walkers: 4, initial: A}
      report:
        kind: report
        system: mb
        inputs: {sample: sample}
        params:
          figures:
            - {type: heatmap, input: sample, x: "/x:0", y: ["/x:1"], weights: /weights, bins: [30, 30], units: "MB", file: fe.png}

    """

    func testRatesTableAndHeatmap() throws {
        cli.write("dw.yaml", workflow)
        let run = try cli.run(["run", "dw.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let f = try HDF5File.open(cli.workspace + "/results/dw/rates.h5", mode: .readOnly)
        defer { try? f.close() }
        let quantity = try f.root.readStrings("rates/quantity"), from = try f.root.readStrings("rates/from")
        let to = try f.root.readStrings("rates/to")
        let value = try f.root.read("rates/rate", as: Double.self).values
        XCTAssertEqual(Set(quantity), ["k_AB", "nu_AB", "rho_A", "k_A"])
        func row(_ q: String, _ a: String, _ b: String) -> Double {
            value[quantity.indices.first { quantity[$0] == q && from[$0] == a && to[$0] == b }!]
        }
        let k = row("k_AB", "left", "right"), nu = row("nu_AB", "left", "right"), rho = row("rho_A", "left", "right")
        XCTAssertGreaterThan(k, 0)
        XCTAssertEqual(nu, rho * k, accuracy: 1e-12 * k)
        XCTAssertEqual(row("k_A", "left", "any"), k, "with two states k_A = k_AB")
        let png = FileManager.default.contents(atPath: cli.workspace + "/results/dw/fe.png")
        XCTAssertGreaterThan(png?.count ?? 0, 1000, "the heatmap is drawn")
    }

    func testBadStatesAndFiguresNameTheParameter() throws {
        cli.write("dw.yaml", workflow.replacingOccurrences(of: "center: [1.0], radii: [0.3]", with: "center: [1.0], radii: [0.3], lower: [0.5]"))
        let states = try cli.run(["run", "dw.yaml"])
        XCTAssertEqual(states.status, 2)
        XCTAssertTrue(states.stderr.contains("params.states") && states.stderr.contains("either center and radii"), states.stderr)
        cli.write("dw.yaml", workflow.replacingOccurrences(of: "bins: [30, 30]", with: "bins: [30]"))
        let bins = try cli.run(["run", "dw.yaml"])
        XCTAssertEqual(bins.status, 2)
        XCTAssertTrue(bins.stderr.contains("bins") && bins.stderr.contains("two bin counts"), bins.stderr)
    }
}
