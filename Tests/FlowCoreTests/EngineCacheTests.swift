import XCTest
import FlowCore
import FlowHDF5

/// Cache semantics of `flow run` (DESIGN §4) with a test stage that counts its invocations.
final class EngineCacheTests: XCTestCase {
    var ws: Workspace!

    override func setUp() {
        InvocationLog.shared.reset()
        ws = Workspace()
        _ = ws.write("wf.yaml", chainWorkflow)
    }

    override func tearDown() { ws.remove() }

    func ran() -> [String: Int] {
        defer { InvocationLog.shared.reset() }
        return InvocationLog.shared.all
    }

    func testFirstRunRunsEverythingAndSecondRunNothing() throws {
        let s1 = try ws.run("wf.yaml")
        XCTAssertEqual(s1.exitCode, 0)
        XCTAssertEqual(ran(), ["a": 1, "b": 1, "c": 1, "d": 1])
        XCTAssertEqual(try ws.value("results/chain/c.h5"), 111)
        let s2 = try ws.run("wf.yaml")
        XCTAssertEqual(ran(), [:])
        XCTAssertEqual(s2.count("cached"), 4)
    }

    func testChangingAParameterRerunsTheStageAndItsDescendantsOnly() throws {
        try ws.run("wf.yaml")
        _ = ran()
        try ws.run("wf.yaml", set: ["b.params.value=20"])
        XCTAssertEqual(ran(), ["b": 1, "c": 1])
        XCTAssertEqual(try ws.value("results/chain/c.h5"), 121)
    }

    func testSwitchingAParameterBackReusesTheOldResults() throws {
        try ws.run("wf.yaml")
        try ws.run("wf.yaml", set: ["va=2"])
        _ = ran()
        try ws.run("wf.yaml")
        XCTAssertEqual(ran(), [:])
        XCTAssertEqual(try ws.value("results/chain/c.h5"), 111, "results/ must point at the old objects again")
    }

    func testIdenticalOutputLeavesDescendantsCached() throws {
        try ws.run("wf.yaml")
        _ = ran()
        try ws.run("wf.yaml", set: ["a.params.noise=3"])
        XCTAssertEqual(ran(), ["a": 1], "a reran with a new key, but its output is unchanged: b and c stay cached")
    }

    func testForceRerunsOnlyTheForcedStageWhenItsOutputIsUnchanged() throws {
        try ws.run("wf.yaml")
        _ = ran()
        var o = RunOptions()
        o.force = ["b"]
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), ["b": 1])
        o.force = []
        o.forceAll = true
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), ["a": 1, "b": 1, "c": 1, "d": 1])
    }

    func testFromUntilOnly() throws {
        var o = RunOptions()
        o.until = "b"
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), ["a": 1, "b": 1])
        o = RunOptions()
        o.from = "c"
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), ["c": 1])
        o = RunOptions()
        o.only = ["d"]
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), ["d": 1])
    }

    func testOnlyWithAnUncachedInputFailsClearly() throws {
        var o = RunOptions()
        o.only = ["c"]
        let s = try ws.run("wf.yaml", options: o)
        XCTAssertEqual(s.exitCode, 1)
        XCTAssertEqual(ran(), [:])
        let a = s.outcomes.first { $0.stage == "a" }!
        guard case .failed(let m) = a.status else { return XCTFail("a should fail: \(a.status)") }
        XCTAssertTrue(m.contains("not in the cache"), m)
        XCTAssertEqual(s.outcomes.first { $0.stage == "c" }?.status.word, "skipped")
    }

    func testDryRunRunsNothingAndSaysWhy() throws {
        var o = RunOptions()
        o.dryRun = true
        let s = try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), [:])
        XCTAssertEqual(s.outcomes.first { $0.stage == "a" }?.status, .wouldRun("never run"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.root + "/results/chain/a.h5"))
    }

    func testStatusNamesTheFirstDifferingField() throws {
        try ws.run("wf.yaml")
        let st = try ws.status("wf.yaml", set: ["b.params.value=20"])
        XCTAssertEqual(st.first { $0.stage == "a" }?.status, .cached)
        XCTAssertEqual(st.first { $0.stage == "b" }?.status, .wouldRun("params.value: 10.0 → 20.0"))
        XCTAssertEqual(st.first { $0.stage == "c" }?.status, .wouldRun("input 'a' will be recomputed (stage b)"))
    }

    func testProfileChangesParameters() throws {
        try ws.run("wf.yaml", profile: "big")
        XCTAssertEqual(try ws.value("results/chain/c.h5"), 115)
    }

    func testMatrixExpandsIntoInstancesWithTheirOwnResults() throws {
        _ = ws.write("m.yaml", """
        name: grid
        vars: {v: 1}
        matrix: {v: [1, 2]}
        stages:
          x: {kind: counter, params: {value: "${v}"}}
          y: {kind: counter, inputs: {a: x}, params: {value: 0.5}}
        """)
        let s = try ws.run("m.yaml")
        XCTAssertEqual(s.outcomes.count, 4)
        XCTAssertEqual(ran(), ["x@v=1": 1, "y@v=1": 1, "x@v=2": 1, "y@v=2": 1])
        XCTAssertEqual(try ws.value("results/grid/v=1/y.h5"), 1.5)
        XCTAssertEqual(try ws.value("results/grid/v=2/y.h5"), 2.5)
        try ws.run("m.yaml", set: ["v=2"])
        XCTAssertEqual(ran(), [:], "--set on a matrix variable selects that cached instance")
    }

    func testAFailedStageStopsItsDescendantsAndKeepGoingRunsTheRest() throws {
        var o = RunOptions()
        o.jobs = 1
        let s = try ws.run("wf.yaml", set: ["a.params.fail=true"], options: o)
        XCTAssertEqual(s.exitCode, 1)
        XCTAssertEqual(s.outcomes.first { $0.stage == "c" }?.status.word, "skipped")
        XCTAssertEqual(ran(), ["a": 1], "after a fails nothing else is launched")
        o.keepGoing = true
        let s2 = try ws.run("wf.yaml", set: ["a.params.fail=true"], options: o)
        XCTAssertEqual(s2.exitCode, 1)
        XCTAssertEqual(ran(), ["a": 1, "d": 1], "d does not depend on a and runs with --keep-going; b and c are skipped")
        let st = try ws.status("wf.yaml", set: ["a.params.fail=true"])
        guard case .wouldRun(let why)? = st.first(where: { $0.stage == "a" })?.status else { return XCTFail() }
        XCTAssertTrue(why.contains("failed last time: the test stage was told to fail"), why)
    }

    func testResultsAreHardLinksToStoreObjects() throws {
        try ws.run("wf.yaml")
        let attrs = try FileManager.default.attributesOfItem(atPath: ws.root + "/results/chain/a.h5")
        XCTAssertEqual(attrs[.referenceCount] as? Int, 2)
    }

    func testACorruptedObjectIsDetectedAndRecomputed() throws {
        try ws.run("wf.yaml")
        _ = ran()
        let result = ws.root + "/results/chain/b.h5"
        chmod(result, 0o644)
        let f = try HDF5File.open(result, mode: .readWrite)
        try f.root.setAttribute("edited", .string("by hand"))
        try f.close()
        let s = try ws.run("wf.yaml")
        XCTAssertEqual(ran(), ["b": 1], "b's object no longer matches its digest; c is cached again because b's output is the same")
        XCTAssertEqual(s.exitCode, 0)
        XCTAssertEqual(try ws.value("results/chain/c.h5"), 111)
    }

    /// Flips the stored value 1.0 to 2.0 in place: same size, inode and (restored) mtime, so only
    /// a digest notices.
    func corruptBehindTheCache(_ relative: String) throws {
        let result = ws.root + "/" + relative
        var st = stat()
        stat(result, &st)
        var bytes = [UInt8](FileManager.default.contents(atPath: result)!)
        let one = withUnsafeBytes(of: (1.0).bitPattern.littleEndian, Array.init)
        let two = withUnsafeBytes(of: (2.0).bitPattern.littleEndian, Array.init)
        let at = (0...(bytes.count - 8)).first { Array(bytes[$0..<($0 + 8)]) == one }!
        bytes.replaceSubrange(at..<(at + 8), with: two)
        chmod(result, 0o644)
        let h = FileHandle(forWritingAtPath: result)!
        h.write(Data(bytes))
        try h.close()
        var times = [st.st_atim, st.st_mtim]
        utimensat(AT_FDCWD, result, &times, 0)
    }

    func testVerifyCatchesCorruptionThatKeepsFileStats() throws {
        try ws.run("wf.yaml")
        _ = ran()
        try corruptBehindTheCache("results/chain/a.h5")
        XCTAssertEqual(try ws.value("results/chain/a.h5"), 2)
        try ws.run("wf.yaml")
        XCTAssertEqual(ran(), [:], "a stat-identical edit is only found by --verify")
        var o = RunOptions()
        o.verify = true
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), ["a": 1, "b": 1, "c": 1], "--verify recomputes a and every record computed from it")
        XCTAssertEqual(try ws.value("results/chain/a.h5"), 1)
        try ws.run("wf.yaml", options: o)
        XCTAssertEqual(ran(), [:], "an intact store verifies without recomputing anything")
    }

    func testAStageNeverComputesFromAnInputCorruptedBehindTheCache() throws {
        try ws.run("wf.yaml")
        _ = ran()
        try corruptBehindTheCache("results/chain/a.h5")
        // b must rerun (new parameter) and reads the corrupted a: instead of committing 20 + 2, it
        // has a recomputed in the same run and then runs on the recomputed value.
        let run = try ws.run("wf.yaml", set: ["b.params.value=20"])
        XCTAssertEqual(run.exitCode, 0)
        XCTAssertEqual(ran(), ["a": 1, "b": 1, "c": 1], "a recomputed once, b and c run once, on the good value")
        XCTAssertEqual(try ws.value("results/chain/a.h5"), 1)
        XCTAssertEqual(try ws.value("results/chain/b.h5"), 21)
        XCTAssertEqual(try ws.value("results/chain/c.h5"), 121)
    }

    func testProvenanceAttributesAndDigestIgnoringThem() throws {
        try ws.run("wf.yaml")
        let f = try HDF5File.open(ws.root + "/results/chain/b.h5")
        defer { try? f.close() }
        XCTAssertEqual(try f.root.attribute("kind"), .string("counter"))
        XCTAssertEqual(try f.root.attribute("stage"), .string("b"))
        guard case .string(let params)? = try f.root.attribute("parameters") else { return XCTFail() }
        XCTAssertEqual(params, #"{"fail":false,"noise":0,"steps":1,"value":10.0}"#)
    }
}

extension Workspace {
    func ranStage(_ name: String) -> Int? {
        let n = InvocationLog.shared.count(name)
        return n == 0 ? nil : n
    }
}
