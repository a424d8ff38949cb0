import XCTest
import FlowHDF5

/// The `histogram` and `export` stages on small inputs with known answers.
final class HistogramExportStageTests: XCTestCase {
    var ws: MolecularWorkspace!

    override func setUp() { ws = MolecularWorkspace() }
    override func tearDown() { ws.remove() }

    /// Values 0.1, 0.2 (weight 1 each), 0.6, 0.7 (weight 2), 0.9 (weight 4) in two bins of [0, 1]:
    /// counts 2 and 8, density 0.4 and 1.6 (per unit), free energy 0 and k_BT ln 4 at 300 K
    /// (k_B T = 0.0019872041 × 300 = 0.596161 kcal/mol, × ln 4 = 0.826455 kcal/mol).
    func testWeightedHistogramDensityAndFreeEnergy() throws {
        let data = try HDF5File.create(ws.root + "/data.h5")
        try data.root.write("x", [0.1, 5, 0.2, 5, 0.6, 5, 0.7, 5, 0.9, 5], shape: [5, 2])
        try data.root.write("weights", [1.0, 1, 2, 2, 4], shape: [5])
        try data.close()
        ws.write("h.yaml", """
        name: h
        systems: {butane: {kind: charmm, temperature: 300, params: {molecule: butane}}}
        stages:
          hist: {kind: histogram, system: butane, inputs: {data: {file: data.h5}}, params: {bins: 2, range: [0, 1]}}
          scaled: {kind: histogram, inputs: {data: {file: data.h5}}, params: {bins: 4, range: [0, 8], scale: 10, weighted: false, column: 0}}
        """)
        XCTAssertEqual(try ws.run("h.yaml").exitCode, 0)
        let f = try ws.open("results/h/hist.h5")
        defer { try? f.close() }
        XCTAssertEqual(try f.root.read("counts", as: Double.self).values, [2, 8])
        XCTAssertEqual(try f.root.read("density", as: Double.self).values, [0.4, 1.6])
        XCTAssertEqual(try f.root.read("centers", as: Double.self).values, [0.25, 0.75])
        let g = try f.root.read("free_energy", as: Double.self).values
        XCTAssertEqual(g[0], 0.826455, accuracy: 1e-6)
        XCTAssertEqual(g[1], 0)
        let s = try ws.open("results/h/scaled.h5")
        defer { try? s.close() }
        XCTAssertEqual(try s.root.read("counts", as: Double.self).values, [1, 1, 0, 2], "values × 10 = 1, 2, 6, 7 in bins of 2 over [0, 8]; 9 is outside")
        XCTAssertFalse(s.root.contains("free_energy"), "no system, no temperature")
    }

    func testExportStageNeedsATopology() throws {
        ws.write("e.yaml", """
        name: e
        systems: {mb: {kind: mueller-brown}}
        stages:
          sample: {kind: simulate, system: mb, params: {steps: 10, stride: 5, walkers: 1, initial: A}}
          out: {kind: export, inputs: {trajectory: sample}}
        """)
        XCTAssertEqual(try ws.failure("e.yaml", stage: "out"), "input 'trajectory' has no /topology group; export takes the output of simulate on a charmm system")
    }

    func testExportStagePublishesTheSelectedFramesAsPDB() throws {
        ws.write("p.yaml", """
        name: p
        systems: {butane: {kind: charmm, params: {molecule: butane}}}
        stages:
          md: {kind: simulate, system: butane, params: {integrator: langevin-baoab, dt: 0.001, steps: 100, stride: 10, replicas: 2}}
          pdb: {kind: export, inputs: {trajectory: md}, params: {format: pdb, replica: 1, frames: "::3", file: butane}}
        """)
        XCTAssertEqual(try ws.run("p.yaml").exitCode, 0)
        let text = try String(contentsOfFile: ws.root + "/results/p/butane.pdb", encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "MODEL").count - 1, 4, "frames 0, 3, 6, 9 of replica 1")
        XCTAssertEqual(text.components(separatedBy: "\nATOM").count - 1 + (text.hasPrefix("ATOM") ? 1 : 0), 4 * 14)
    }
}
