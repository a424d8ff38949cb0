import Foundation
import XCTest

/// `flow run` on workflows whose names try to reach files outside the workspace: each is refused
/// at validation (exit 2, one error at file:line:column) and no file beside the workspace changes.
final class HostileWorkflowTests: XCTestCase {
    var root = ""
    var workspace: String { root + "/ws" }
    var sentinel: String { root + "/sentinel" }

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "flow-hostile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sentinel + "/results/mueller-brown", withIntermediateDirectories: true)
        try Data("victim".utf8).write(to: URL(fileURLWithPath: sentinel + "/victim.png"))
        try Data("other workflow".utf8).write(to: URL(fileURLWithPath: sentinel + "/results/mueller-brown/sample.h5"))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Every file under `root` outside the workspace, with its bytes.
    func snapshotOutsideWorkspace() -> [String: Data] {
        var out: [String: Data] = [:]
        for case let rel as String in FileManager.default.enumerator(atPath: root)?.allObjects ?? [] where !rel.hasPrefix("ws") {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir)
            out[rel] = isDir.boolValue ? Data() : FileManager.default.contents(atPath: root + "/" + rel)
        }
        return out
    }

    static let system = "systems: {mb: {kind: mueller-brown}}\n"
    static let sample = "  sample: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: A}}\n"

    /// (workflow text, expected error after `hostile.yaml:`)
    static let cases: [(String, String)] = [
        ("name: h\n" + system + "stages:\n" + sample
            + "  r: {kind: report, system: mb, inputs: {s: sample}, params: {figures: [{input: s, file: ../../sentinel/victim.png}]}}\n",
         "5:90: error: stage 'r': params.figures[0].file: the file name '../../sentinel/victim.png' contains a directory separator"),
        ("name: h\n" + system + "stages:\n" + sample
            + "  r: {kind: report, system: mb, inputs: {s: sample}, params: {figures: [{input: s, file: SENTINEL/victim.png}]}}\n",
         "5:90: error: stage 'r': params.figures[0].file: the file name '/"),
        ("name: h\n" + system + "stages:\n" + sample
            + "  r: {kind: report, system: mb, inputs: {s: sample}, params: {figures: [{input: s, file: ..}]}}\n",
         "5:90: error: stage 'r': params.figures[0].file: the file name '..' starts with '.'"),
        ("name: h\n" + system + "matrix: {tag: [\"../../../sentinel/results/mueller-brown\"]}\nstages:\n" + sample,
         "3:16: error: matrix.tag: the value '../../../sentinel/results/mueller-brown' contains a directory separator"),
        ("name: h\n" + system + "matrix: {tag: [\"..\"]}\nstages:\n" + sample,
         "3:16: error: matrix.tag: the value '..' starts with '.'"),
        ("name: ../sentinel\n" + system + "stages:\n" + sample,
         "1:7: error: name: must be a word of ASCII letters, digits"),
        ("name: h\n" + system + "stages:\n" + sample + "  r: {kind: report, inputs: {../../sentinel/victim: sample}}\n",
         "5:30: error: stage 'r': inputs.../../sentinel/victim: input names must be words"),
        ("name: h\n" + system + "stages:\n" + sample
            + "  e: {kind: export, inputs: {trajectory: sample}, params: {file: ../../sentinel/victim}}\n",
         "5:66: error: stage 'e': params.file: the file name '../../sentinel/victim' contains a directory separator"),
    ]

    func testHostileNamesAreRefusedAtValidationAndNothingOutsideTheWorkspaceChanges() throws {
        let before = snapshotOutsideWorkspace()
        XCTAssertEqual(before.count, 5, "the sentinel tree: \(before.keys.sorted())")
        for (text, expected) in Self.cases {
            let yaml = text.replacingOccurrences(of: "SENTINEL", with: sentinel)
            try yaml.write(toFile: workspace + "/hostile.yaml", atomically: true, encoding: .utf8)
            let (signalled, status, stderr) = try FlowCLI.run(["run", "hostile.yaml"], in: workspace)
            XCTAssertFalse(signalled, "\(expected): flow was killed by a signal: \(stderr)")
            XCTAssertEqual(status, 2, "\(expected): \(stderr)")
            let errors = stderr.split(separator: "\n").filter { $0.contains(": error: ") }
            XCTAssertEqual(errors.count, 1, "one error for «\(expected)»: \(stderr)")
            XCTAssertTrue(errors.first?.hasPrefix("hostile.yaml:" + expected) ?? false, "expected «\(expected)», got \(stderr)")
            XCTAssertEqual(snapshotOutsideWorkspace(), before, "files outside the workspace changed after «\(expected)»")
            XCTAssertFalse(FileManager.default.fileExists(atPath: workspace + "/results"), "nothing was published for «\(expected)»")
        }
    }
}
