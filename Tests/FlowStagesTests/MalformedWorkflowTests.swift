import XCTest
import FlowCore
import FlowStages

/// A corpus of malformed workflow files: each file starts with `# expect: L:C: text`
/// lines, one per error it must produce. The test requires exactly that many errors, each at
/// the stated line and column and starting with the stated text (stage, key path and message).
final class MalformedWorkflowTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Malformed").path

    func testEveryMalformedFileReportsItsErrorsAtTheRightPlace() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 98)
        for file in files {
            let path = Self.corpus + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst(10)) }
            XCTAssertFalse(expected.isEmpty, "\(file) has no # expect: line")
            let loader = WorkflowLoader(registry: StandardRegistry.shared, workspace: Self.corpus)
            do {
                _ = try loader.load(path)
                XCTFail("\(file): loaded without errors")
            } catch FlowError.invalidWorkflow(let diags) {
                let got = diags.map { d -> String in
                    var body = "\(d.location.line):\(d.location.column): "
                    if let s = d.stage { body += "stage '\(s)': " }
                    if let k = d.key, !k.isEmpty { body += "\(k): " }
                    return body + d.message
                }
                XCTAssertEqual(got.count, expected.count, "\(file): expected \(expected), got \(got)")
                for e in expected where !got.contains(where: { $0.hasPrefix(e) }) {
                    XCTFail("\(file): no error starting with «\(e)»; got \(got)")
                }
                for d in diags { XCTAssertEqual(d.location.file, path, "\(file): errors name the workflow file") }
            }
        }
    }

    /// The corpus through the `flow` command, as a user meets it: every file is refused with exit
    /// code 2 (never a crash, which would be a signal or another code), each expected error is
    /// printed as `file:line:column: error: …`, and no file beside the workspace changes.
    func testTheCommandRefusesEveryMalformedFileWithoutCrashingOrWritingOutsideTheWorkspace() throws {
        let root = NSTemporaryDirectory() + "flow-corpus-\(UUID().uuidString.prefix(8))"
        let workspace = root + "/ws", sentinel = root + "/sentinel"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sentinel, withIntermediateDirectories: true)
        try Data("victim".utf8).write(to: URL(fileURLWithPath: sentinel + "/victim.png"))
        func outside() -> [String: Data] {
            var out: [String: Data] = [:]
            for case let rel as String in FileManager.default.enumerator(atPath: root)?.allObjects ?? [] where !rel.hasPrefix("ws") {
                out[rel] = FileManager.default.contents(atPath: root + "/" + rel) ?? Data()
            }
            return out
        }
        let before = outside()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".yaml") }.sorted()
        for file in files {
            let path = Self.corpus + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst(10)) }
            let (signalled, status, stderr) = try FlowCLI.run(["run", path], in: workspace)
            XCTAssertFalse(signalled, "\(file): flow was killed by a signal: \(stderr)")
            XCTAssertEqual(status, 2, "\(file): an invalid workflow exits with 2: \(stderr)")
            for e in expected {
                guard let split = e.range(of: ": ") else { XCTFail("\(file): malformed expect line «\(e)»"); continue }
                let line = "\(path):\(e[..<split.lowerBound]): error: \(e[split.upperBound...])"
                XCTAssertTrue(stderr.split(separator: "\n").contains { $0.hasPrefix(line) }, "\(file): no line starting with «\(line)» in \(stderr)")
            }
            XCTAssertEqual(outside(), before, "\(file): a file outside the workspace changed")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace).filter { $0 == "results" }, [],
                       "an invalid workflow publishes nothing")
    }

    func testErrorsAreOneLineAndNameTheFile() throws {
        let path = Self.corpus + "/28-several-errors.yaml"
        do {
            _ = try WorkflowLoader(registry: StandardRegistry.shared, workspace: Self.corpus).load(path)
            XCTFail("expected errors")
        } catch FlowError.invalidWorkflow(let diags) {
            for d in diags {
                XCTAssertFalse(d.description.contains("\n"))
                XCTAssertTrue(d.description.hasPrefix(path + ":"), d.description)
            }
        }
    }

    func testAMissingWorkflowFileIsAUsageError() {
        XCTAssertThrowsError(try WorkflowLoader(registry: StandardRegistry.shared).load("/nonexistent/wf.yaml")) { e in
            guard case FlowError.usage(let m) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(m.contains("not found"), m)
        }
    }

    func testBadSetOverridesAndProfilesAreReported() throws {
        let path = Self.corpus + "/../Workflows/ok.yaml"
        for (profile, set, message) in [
            (nil as String?, ["nonsense"], "expected key.path=value"),
            (nil, ["sampel.params.steps=3"], "'sampel' is not a variable, a stage or a section of the workflow (did you mean 'sample'?)"),
            (nil, ["sample.params.steps=[1"], "cannot parse the value"),
            (nil, ["sample.params.steps=-5"], "params.steps: must be ≥ 1 (got -5)"),
            (nil, ["sample.params.dt=.nan"], "--set sample.params.dt: error: stage 'sample': params.dt: must be a finite number (got nan)"),
            (nil, ["beta=.nan"], "systems.mb.beta: must be a finite number (got nan)"),
            (nil, ["sample.params.steps=9223372036854775807"], "params.steps: must be at most 10^12 in magnitude (got 9223372036854775807)"),
            (nil, ["sample.params.walkers=1e12"], "params.walkers: walkers = 1e+12 values of 8 bytes cannot be allocated"),
            ("smok", [], "unknown profile 'smok' (did you mean 'smoke'?)"),
        ] {
            do {
                _ = try WorkflowLoader(registry: StandardRegistry.shared, profile: profile, overrides: set, workspace: Self.corpus).load(path)
                XCTFail("\(set) \(profile ?? ""): expected an error")
            } catch FlowError.invalidWorkflow(let diags) {
                XCTAssertTrue(diags.contains { $0.description.contains(message) }, "\(diags)")
            }
        }
    }
}
