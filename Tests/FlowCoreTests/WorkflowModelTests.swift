import XCTest
import FlowCore

/// The workflow model's pieces against hand-written expectations.
final class WorkflowModelTests: XCTestCase {
    func testCanonicalJSONSortsKeysAndKeepsNumberKinds() throws {
        let v = JSONValue.object(["b": .double(0.1), "a": .int(3), "c": .array([.double(1), .string("x\"y")]), "d": .double(-0.0)])
        XCTAssertEqual(v.canonical, #"{"a":3,"b":0.1,"c":[1.0,"x\"y"],"d":-0.0}"#)
        XCTAssertEqual(try JSONValue.parse(v.canonical), v, "canonical text reads back exactly")
        XCTAssertEqual(JSONValue.double(1e-300).canonical, "1e-300")
        XCTAssertEqual(JSONValue.double(2.5e6).canonical, "2500000.0")
    }

    func testScalarsResolveByTheCoreSchema() {
        XCTAssertEqual(ScalarValue("5", quoted: false), .int(5))
        XCTAssertEqual(ScalarValue("5.0e-5", quoted: false), .double(5e-5))
        XCTAssertEqual(ScalarValue("5", quoted: true), .string("5"))
        XCTAssertEqual(ScalarValue("yes", quoted: false), .bool(true))
        XCTAssertEqual(ScalarValue("~", quoted: false), .null)
        XCTAssertEqual(ScalarValue("1.2.3", quoted: false), .string("1.2.3"))
        XCTAssertEqual(ScalarValue("-.inf", quoted: false), .double(-.infinity))
    }

    func testInterpolationKeepsTypesAndSubstitutesText() throws {
        let wf = try WorkflowLoader(registry: testRegistry(), workspace: NSTemporaryDirectory()).load(yaml: """
        name: x
        vars: {v: 2.5, tag: run, both: "${tag}-${v}", literal: "$${v}"}
        stages:
          a: {kind: counter, params: {value: "${v}"}, description: "${both} ${literal}"}
        """, file: "x.yaml")[0]
        XCTAssertEqual(wf.stages[0].resolvedParameters["value"], .double(2.5))
        XCTAssertEqual(wf.stages[0].description, "run-2.5 ${v}")
    }

    func testDerivedSeedsAreStableAndDistinct() {
        let a = WorkflowLoader.derivedSeed(workflowSeed: 1, stage: "sample")
        XCTAssertEqual(a, WorkflowLoader.derivedSeed(workflowSeed: 1, stage: "sample"))
        XCTAssertNotEqual(a, WorkflowLoader.derivedSeed(workflowSeed: 2, stage: "sample"))
        XCTAssertNotEqual(a, WorkflowLoader.derivedSeed(workflowSeed: 1, stage: "sample2"))
        // A fixed value: changing the derivation would silently invalidate every cache.
        XCTAssertEqual(a, UInt64(SHA256Hasher.hex("flow-seed/1\u{0}1\u{0}sample").prefix(16), radix: 16))
    }

    func testSHA256MatchesAKnownVector() {
        XCTAssertEqual(SHA256Hasher.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testManifestDifferenceNamesTheFirstChangedField() {
        let old = JSONValue.object(["kind": .string("k"), "kind_version": .int(1), "params": .object(["lr": .double(0.001), "n": .int(3)]),
                                    "inputs": .object(["data": .string("sha256:aa")]), "seed": .int(1)])
        var new = old.objectValue!
        new["params"] = .object(["lr": .double(0.01), "n": .int(3)])
        XCTAssertEqual(Manifest.firstDifference(old: old, new: .object(new)), "params.lr: 0.001 → 0.01")
        new = old.objectValue!
        new["inputs"] = .object(["data": .string("sha256:bb")])
        XCTAssertEqual(Manifest.firstDifference(old: old, new: .object(new)), "input 'data' changed")
        new = old.objectValue!
        new["kind_version"] = .int(2)
        XCTAssertEqual(Manifest.firstDifference(old: old, new: .object(new)), "stage kind version 1 → 2 (the kind's numerical output changed)")
        XCTAssertNil(Manifest.firstDifference(old: old, new: old))
    }

    func testOverridesResolveVariablesStagesAndSections() throws {
        let yaml = """
        name: x
        seed: 1
        vars: {v: 1}
        systems: {s: {kind: test-system}}
        stages:
          a: {kind: counter, params: {value: "${v}"}}
        """
        let load = { (set: [String]) in
            try WorkflowLoader(registry: testRegistry(), overrides: set, workspace: NSTemporaryDirectory()).load(yaml: yaml, file: "x.yaml")[0]
        }
        XCTAssertEqual(try load(["v=4"]).stages[0].resolvedParameters["value"], .double(4))
        XCTAssertEqual(try load(["a.params.noise=2"]).stages[0].resolvedParameters["noise"], .int(2))
        XCTAssertEqual(try load(["stages.a.params.value=7"]).stages[0].resolvedParameters["value"], .double(7))
        XCTAssertEqual(try load(["seed=9"]).seed, 9)
        XCTAssertEqual(try load(["systems.s.beta=3"]).systems["s"]?.resolved["beta"], .double(3))
        XCTAssertNotEqual(try load(["seed=9"]).stages[0].seed, try load([]).stages[0].seed, "the derived seed follows the workflow seed")
    }

    func testCatalogueDocumentsDefaultsUnitsAndRanges() {
        let text = Catalogue(registry: testRegistry()).describe("counter")!
        XCTAssertTrue(text.contains("noise  (integer, default 0, ≥ 0)"), text)
        XCTAssertTrue(text.contains("a (optional)  first input"), text)
        XCTAssertNil(Catalogue(registry: testRegistry()).describe("nothing"))
    }

    func testDidYouMean() {
        XCTAssertEqual(DidYouMean.suggestion(for: "stpes", among: ["steps", "stride"]), "steps")
        XCTAssertEqual(DidYouMean.suggestion(for: "src", among: ["source", "data"]), "source")
        XCTAssertNil(DidYouMean.suggestion(for: "zzz", among: ["steps"]))
    }
}

/// A parameter naming a file puts the file's content, not its path, into the key.
enum FileReaderStage: StageKind {
    static let name = "file-reader"
    static let version = 1
    static let summary = "test stage reading a file named in its parameters"
    static let inputs: [InputSpec] = []
    static let outputs = [OutputDataset.float64("/length", "scalar", "characters in the file")]

    struct Parameters: Decodable {
        var table: ContentFile
        enum CodingKeys: String, CodingKey { case table }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            table = try p(.table, literal: "/dev/null", help: "a file")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let text = try String(contentsOfFile: p.table.absolutePath, encoding: .utf8)
        try context.output.root.write("length", [Double(text.count)], shape: [])
    }
}

final class ContentFileTests: XCTestCase {
    func testEditingAFileNamedInParametersChangesTheKeyButMovingTheWorkspaceDoesNot() throws {
        let registry = StageRegistry()
        registry.register(FileReaderStage.self)
        let yaml = "name: f\nstages:\n  r: {kind: file-reader, params: {table: data/t.txt}}\n"
        func key(_ ws: Workspace) throws -> JSONValue {
            try WorkflowLoader(registry: registry, workspace: ws.root).load(yaml: yaml, file: "f.yaml")[0].stages[0].resolvedParameters
        }
        let a = Workspace(), b = Workspace()
        defer { a.remove(); b.remove() }
        _ = a.write("data/t.txt", "one")
        _ = b.write("data/t.txt", "one")
        XCTAssertEqual(try key(a), try key(b))
        XCTAssertEqual(try key(a)["table"]?["path"], .string("data/t.txt"))
        _ = a.write("data/t.txt", "two")
        XCTAssertNotEqual(try key(a), try key(b))
        let missing = Workspace()
        defer { missing.remove() }
        XCTAssertThrowsError(try key(missing)) { e in
            guard case FlowError.invalidWorkflow(let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(d.first?.key, "params.table")
            XCTAssertTrue(d.first?.message.contains("file 'data/t.txt' not found") ?? false, "\(d)")
            XCTAssertEqual(d.first?.location.line, 3)
        }
    }
}
