import XCTest

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
