import Foundation
import XCTest

/// A corpus of malformed and hostile input files: `.npy` and HDF5 files for `load`, PSF,
/// PDB and CHARMM parameter files for a `charmm` system. Each `BadInputs/NAME.yaml` reads its
/// broken file(s) and starts with `# expect: text`, a part of the one-line stage failure it must
/// produce. The good butane files beside them (`butane.psf`, `butane.pdb`, written by `flow
/// export`) and the project's own alkane parameters supply everything a case does not break.
final class BadInputFileTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("BadInputs").path
    static let alkaneParameters = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Data/charmm/par_flow_alkane_c36.prm").standardized.path

    /// Every case fails its stage with exit status 1 (never a signal, never a success), prints the
    /// expected reason on the stage's failure line, publishes nothing and changes no file outside
    /// the workspace.
    func testEveryBadInputFileFailsItsStageWithItsReason() throws {
        let root = NSTemporaryDirectory() + "flow-bad-inputs-\(UUID().uuidString.prefix(8))"
        let workspace = root + "/ws", sentinel = root + "/sentinel"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.corpus, toPath: workspace)
        try FileManager.default.copyItem(atPath: Self.alkaneParameters, toPath: workspace + "/butane.prm")
        try FileManager.default.createDirectory(atPath: sentinel, withIntermediateDirectories: true)
        try Data("victim".utf8).write(to: URL(fileURLWithPath: sentinel + "/victim.h5"))

        let cases = try FileManager.default.contentsOfDirectory(atPath: workspace).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 60)
        for file in cases {
            let text = try String(contentsOfFile: workspace + "/" + file, encoding: .utf8)
            guard let first = text.split(separator: "\n").first, first.hasPrefix("# expect: ") else {
                XCTFail("\(file) does not start with '# expect: '"); continue
            }
            let expected = String(first.dropFirst(10))
            let (signalled, status, stderr) = try FlowCLI.run(["run", file], in: workspace)
            XCTAssertFalse(signalled, "\(file): flow was killed by a signal: \(stderr)")
            XCTAssertEqual(status, 1, "\(file): a bad input file fails its stage (exit 1): \(stderr)")
            let failures = stderr.split(separator: "\n").filter { $0.contains(" failed: ") }
            XCTAssertEqual(failures.count, 1, "\(file): one failed stage expected: \(stderr)")
            XCTAssertTrue(failures.first?.contains(expected) ?? false, "\(file): «\(expected)» not in \(failures)")
            let published = (try? FileManager.default.contentsOfDirectory(atPath: workspace + "/results/bad")) ?? []
            XCTAssertEqual(published.filter { $0.hasSuffix(".h5") }, [], "\(file): a failed stage publishes nothing")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["sentinel", "ws"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sentinel), ["victim.h5"])
        XCTAssertEqual(FileManager.default.contents(atPath: sentinel + "/victim.h5"), Data("victim".utf8))
    }
}
