import XCTest
import FlowHDF5

/// Sizes that only the system's dimension makes too large (known once the system is built) fail
/// the stage with the limit in the message before anything is allocated; the process survives.
final class SizeLimitTests: XCTestCase {
    func testFramesTimesDimensionBeyondMemoryFailTheStageCleanly() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("big.yaml", """
        name: big
        systems: {dw: {kind: double-well, params: {dimension: 1000000}}}
        stages:
          sample: {kind: simulate, system: dw, params: {walkers: 1000, steps: 1000, stride: 1}}
          rates: {kind: transition-rates, system: dw, params: {walkers: 1000000, steps: 10}}
        """)
        let run = try cli.run(["run", "big.yaml", "--keep-going"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("sample  failed: frames × dimension 1000000 = 1e+12 values of 8 bytes cannot be allocated: at most "), run.stderr)
        XCTAssertTrue(run.stderr.contains("rates  failed: walkers × dimension 1000000 = 1e+12 values of 8 bytes cannot be allocated: at most "), run.stderr)
        let status = try cli.run(["status", "big.yaml"])
        XCTAssertTrue(status.stdout.contains("failed"), "the failure is recorded: \(status.stdout)")
    }
}

/// A MALA run whose proposals are all rejected is a valid run with frozen samples: it succeeds,
/// but says so on the console and in the output's `warnings` attribute.
final class FrozenSamplerWarningTests: XCTestCase {
    func testMALAAcceptanceBelowOnePercentIsAWarningOnTheConsoleAndInTheOutput() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("m.yaml", """
        name: m
        systems: {mb: {kind: mueller-brown}}
        stages:
          frozen: {kind: simulate, system: mb, params: {integrator: mala, dt: 10, steps: 200, stride: 10, walkers: 2, initial: A}}
          moving: {kind: simulate, system: mb, params: {integrator: mala, dt: 1.0e-4, steps: 200, stride: 10, walkers: 2, initial: A}}
        """)
        let run = try cli.run(["run", "m.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("! frozen  warning: MALA acceptance below 1% for 2 of 2 walkers (lowest 0.0000, walker 0); lower dt"), run.stderr)
        XCTAssertFalse(run.stderr.contains("! moving"), run.stderr)
        let frozen = try HDF5File.open(cli.workspace + "/results/m/frozen.h5", mode: .readOnly)
        defer { try? frozen.close() }
        guard case .strings(let warnings)? = try frozen.root.attribute("warnings") else { return XCTFail("no warnings attribute") }
        XCTAssertEqual(warnings, ["MALA acceptance below 1% for 2 of 2 walkers (lowest 0.0000, walker 0); lower dt"])
        let moving = try HDF5File.open(cli.workspace + "/results/m/moving.h5", mode: .readOnly)
        defer { try? moving.close() }
        XCTAssertNil(try moving.root.attribute("warnings"))
    }
}
