import XCTest

/// Report tables put computed numbers next to references, with relative errors.
final class ReportTableTests: XCTestCase {
    func testCompareAndInputsTables() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("t.yaml", """
        name: tables
        systems: {mb: {kind: mueller-brown, params: {scale: 1}}}
        stages:
          upper: {kind: string, system: mb, params: {from: A, to: C, images: 20}}
          report:
            kind: report
            inputs: {upper: upper}
            params:
              tables:
                - {title: Saddle, type: inputs, inputs: [upper], row_labels: [A–C], columns: [{label: energy, attribute: saddle/energy, format: "%.3f"}, {label: x, dataset: /saddle, index: 0, format: "%.3f"}]}
                - {title: Against the literature, rows: 2, row_label: "v{n}", reference: {label: ref, values: [-40.0, 2.0]}, columns: [{label: flow, input: upper, dataset: /saddle, scale: 1}, {label: literal, values: [-40.0, 4.0]}]}
        """)
        let run = try cli.run(["run", "t.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let md = try String(contentsOfFile: cli.workspace + "/results/tables/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| A–C | -40.665 | -0.822 |"), md)
        XCTAssertTrue(md.contains("| v2 | 2 | 0.62431 | 69 % | 4 | 100 % |"), md)
        XCTAssertTrue(md.contains("| v1 | -40 | -0.822 | 98 % | -40 | 0 % |"), md)
        let bad = try cli.run(["run", "t.yaml", "--set", "report.params.tables=[{title: x, columns: []}]"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("params.tables[0].columns: give at least one column"), bad.stderr)
        let unnamed = try cli.run(["run", "t.yaml", "--set", "report.params.tables=[{type: inputs, inputs: [upper], columns: [{dataset: /saddle, name: energy}]}]"])
        XCTAssertEqual(unnamed.status, 1)
        XCTAssertTrue(unnamed.stderr.contains("'/saddle' of input 'upper' has no element named 'energy'"), unnamed.stderr)
        let twoSources = try cli.run(["run", "t.yaml", "--set", "report.params.tables=[{columns: [{values: [1], dataset: /x}]}]"])
        XCTAssertTrue(twoSources.stderr.contains("give exactly one of dataset, attribute or values"), twoSources.stderr)
    }
}
