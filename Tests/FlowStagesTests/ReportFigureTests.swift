import XCTest

/// Report figures: overlays from other inputs, functions on grids, references across inputs.
final class ReportFigureTests: XCTestCase {
    func testOverlaysGridsAndCrossInputReferences() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("f.yaml", """
        name: figs
        seed: 4
        systems: {mb: {kind: mueller-brown}}
        stages:
          sample: {kind: simulate, system: mb, params: {walkers: 20, steps: 200, stride: 20, initial: boltzmann}}
          path: {kind: string, system: mb, params: {from: A, to: C, images: 15}}
          eig: {kind: eigenfunctions, system: mb, inputs: {data: sample}, params: {count: 2, grid_points: 21, training: {epochs: 2, batch_size: 100}}}
          report:
            kind: report
            system: mb
            inputs: {sample: sample, path: path, eig: eig}
            params:
              figures:
                - {type: scatter, input: sample, color: "eig:/values:0", file: colored.png, overlays: [{input: path, title: MEP}]}
                - {type: grid, input: eig, x: /grid/x, y: [/grid/y], z: "/grid/values:1", file: f2.png, overlays: [{input: path, style: points}]}
        """)
        let run = try cli.run(["run", "f.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for f in ["colored.png", "f2.png"] {
            let data = FileManager.default.contents(atPath: cli.workspace + "/results/figs/" + f) ?? Data()
            XCTAssertEqual(Array(data.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "\(f) is a PNG")
        }
        let missing = try cli.run(["run", "f.yaml", "--set", "report.params.figures=[{input: sample, overlays: [{input: nowhere}]}]"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("overlay input 'nowhere' is not an input of the report"), missing.stderr)
        let badRef = try cli.run(["run", "f.yaml", "--set", "report.params.figures=[{input: sample, color: \"other:/values:0\"}]"])
        XCTAssertTrue(badRef.stderr.contains("figure reference 'other:/values:0': no input 'other'"), badRef.stderr)
        let badComponent = try cli.run(["run", "f.yaml", "--set", "report.params.figures=[{type: grid, input: eig, x: /grid/x, y: [/grid/y], z: \"/grid/values:5\"}]"])
        XCTAssertTrue(badComponent.stderr.contains("has shape [21, 21, 2]"), badComponent.stderr)
    }

    /// Figures are drawn in the stage's scratch directory under `.flow/tmp` (which the next run
    /// cleans after a kill -9), never in the system temporary folder: with TMPDIR unusable the
    /// report still renders, and nothing of it is left in `.flow/tmp` afterwards.
    func testFiguresRenderUnderTheWorkspaceNotTheSystemTemporaryFolder() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("f.yaml", """
        name: figs
        systems: {mb: {kind: mueller-brown}}
        stages:
          sample: {kind: simulate, system: mb, params: {walkers: 2, steps: 200, stride: 20, initial: A}}
          report: {kind: report, system: mb, inputs: {sample: sample}, params: {figures: [{input: sample, file: s.png}]}}
        """)
        cli.write("not-a-directory", "")
        let run = try cli.run(["run", "f.yaml"], environment: ["TMPDIR": cli.workspace + "/not-a-directory/tmp/"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let png = FileManager.default.contents(atPath: cli.workspace + "/results/figs/s.png") ?? Data()
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "s.png is a PNG")
        XCTAssertEqual(cli.files(under: ".flow/tmp"), [], "the scratch directory is removed when the stage ends")
    }
}
