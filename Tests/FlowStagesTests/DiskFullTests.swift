import Foundation
import XCTest

/// A full disk fails the stage that was writing with one line (what, where, what to do), the
/// process exits normally with status 1, the store holds no partial object, and the next run
/// after space is freed succeeds; no segmentation fault inside libhdf5 at exit.
/// Needs root to mount a small tmpfs; skipped otherwise.
final class DiskFullTests: XCTestCase {
    func testAFullDiskFailsTheStageCleanly() throws {
        let mountPoint = NSTemporaryDirectory() + "flow-full-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        guard getuid() == 0, shell("mount -t tmpfs -o size=1m tmpfs '\(mountPoint)'") == 0 else {
            throw XCTSkip("skipped: mounting a 1 MB tmpfs needs root and a kernel that allows it")
        }
        defer { _ = shell("umount '\(mountPoint)'") }
        let workflow = """
        name: full
        systems: {mb: {kind: mueller-brown}}
        stages:
          sample: {kind: simulate, system: mb, params: {steps: 200000, stride: 10, walkers: 4, initial: A}}
          after: {kind: histogram, inputs: {data: sample}, params: {column: 0}}
        """
        try workflow.write(toFile: mountPoint + "/full.yaml", atomically: true, encoding: .utf8)
        let (signalled, status, stderr) = try FlowCLI.run(["run", "full.yaml"], in: mountPoint)
        XCTAssertFalse(signalled, stderr)
        XCTAssertEqual(status, 1, stderr)
        let failure = stderr.split(separator: "\n").first { $0.contains("sample  failed:") } ?? ""
        XCTAssertTrue(failure.contains("No space left on device (errno 28); free space on that file system and run again"), stderr)
        XCTAssertFalse(failure.contains("bytes actually written"), "libhdf5's raw report is condensed: \(failure)")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: mountPoint + "/.flow/objects")) ?? [], [],
                       "no partial object")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: mountPoint + "/.flow/tmp")) ?? [], [],
                       "the failed stage's temporary file is removed")
        let smaller = try FlowCLI.run(["run", "full.yaml", "--set", "sample.params.steps=2000"], in: mountPoint)
        XCTAssertEqual(smaller.status, 0, "a run that fits succeeds with no cleanup step: \(smaller.stderr)")
    }

    func shell(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command + " 2>/dev/null"]
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
