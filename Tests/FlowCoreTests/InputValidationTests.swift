import XCTest
import FlowCore

/// What validation refuses once, for every parameter: non-finite numbers, integers beyond
/// `InputLimits.maxInteger`, and names that would leave their directory. The `counter` test stage
/// declares `value` without any range, so a refusal here comes from the decoder alone.
final class InputValidationTests: XCTestCase {
    func diagnostics(_ yaml: String, set: [String] = []) -> [Diagnostic] {
        do {
            _ = try WorkflowLoader(registry: testRegistry(), overrides: set, workspace: NSTemporaryDirectory()).load(yaml: yaml, file: "x.yaml")
            return []
        } catch FlowError.invalidWorkflow(let d) {
            return d
        } catch {
            XCTFail("\(error)")
            return []
        }
    }

    static let workflow = """
    name: x
    stages:
      a: {kind: counter, params: {value: 1.5, steps: 3}}
    """

    func testNonFiniteNumbersAreRefusedInAParameterWithoutARange() {
        for (set, got) in [("a.params.value=.nan", "nan"), ("a.params.value=.inf", "inf"), ("a.params.value=-.inf", "-inf")] {
            let d = diagnostics(Self.workflow, set: [set])
            XCTAssertEqual(d.map(\.description), ["--set a.params.value: error: stage 'a': params.value: must be a finite number (got \(got)); .nan and .inf are not accepted"])
        }
        let inFile = diagnostics("name: x\nstages:\n  a: {kind: counter, params: {value: .NaN}}\n")
        XCTAssertEqual(inFile.map(\.description), ["x.yaml:3:38: error: stage 'a': params.value: must be a finite number (got nan); .nan and .inf are not accepted"])
        XCTAssertEqual(diagnostics(Self.workflow, set: ["a.params.value=1e300"]).count, 0, "large finite numbers are numbers")
    }

    func testIntegersAreBoundedByTheLimitTheMessageStates() {
        XCTAssertEqual(diagnostics(Self.workflow, set: ["a.params.steps=1000000000000"]).count, 0, "10^12 itself is allowed")
        for (value, got) in [("9223372036854775807", "9223372036854775807"), ("1000000000001", "1000000000001"), ("1e15", "1e15")] {
            let d = diagnostics(Self.workflow, set: ["a.params.steps=\(value)"])
            XCTAssertEqual(d.map(\.message), ["must be at most 10^12 in magnitude (got \(got)); larger counts cannot be allocated"], value)
        }
    }

    func testBoundsExcludeNaN() {
        XCTAssertFalse(Bounds<Double>.positive.contains(.nan))
        XCTAssertFalse(Bounds<Double>.closed(0, 1).contains(.nan))
        XCTAssertFalse(Bounds<Double>().contains(.nan), "not even the unbounded range")
        XCTAssertTrue(Bounds<Double>().contains(-1e300))
        XCTAssertTrue(Bounds<Double>.closed(0, 1).contains(1))
    }

    func testAllocationLimitsDetectOverflowAndMemory() {
        XCTAssertEqual(InputLimits.product([3, 4, 5]), 60)
        XCTAssertNil(InputLimits.product([Int(InputLimits.maxInteger), Int(InputLimits.maxInteger)]), "10^24 overflows Int")
        XCTAssertNil(InputLimits.allocationProblem([1000, 1000], what: "a"))
        let memory = Int(InputLimits.memoryBytes)
        XCTAssertNotNil(InputLimits.allocationProblem([memory / 8 + 1], what: "a"), "one value more than memory holds")
        XCTAssertNil(InputLimits.allocationProblem([memory / 16], what: "a"))
        XCTAssertNotNil(InputLimits.allocationProblem([Int.max, 2], what: "a"))
    }

    func testPathComponents() {
        for ok in ["figure.png", "a=1,b=x", "é-ü_1.5", "x..y"] { XCTAssertNil(InputLimits.pathComponentProblem(ok), ok) }
        for (bad, why) in [("", "is empty"), ("..", "starts with '.'"), (".", "starts with '.'"), (".hidden", "starts with '.'"),
                           ("../x", "contains a directory separator ('/' or '\\')"), ("a/b", "contains a directory separator ('/' or '\\')"),
                           ("/etc/passwd", "contains a directory separator ('/' or '\\')"), ("a\\b", "contains a directory separator ('/' or '\\')"),
                           ("a\nb", "contains a control character"), (String(repeating: "x", count: 256), "is longer than 255 bytes")] {
            XCTAssertEqual(InputLimits.pathComponentProblem(bad), why, bad)
        }
    }

    func testMatrixValuesCannotLeaveTheResultsDirectory() {
        let d = diagnostics("name: x\nmatrix: {tag: [ok, \"../../../../ESCAPED\", \"..\"]}\nstages:\n  a: {kind: counter}\n")
        XCTAssertEqual(d.map(\.description), [
            "x.yaml:2:20: error: matrix.tag: the value '../../../../ESCAPED' contains a directory separator ('/' or '\\'); it names the directory results/<workflow>/tag=<value>/, so write a plain word",
            "x.yaml:2:43: error: matrix.tag: the value '..' starts with '.'; it names the directory results/<workflow>/tag=<value>/, so write a plain word",
        ])
        XCTAssertEqual(diagnostics("name: x\nmatrix: {tag: [\"a.b\", 1.5, -.5]}\nstages:\n  a: {kind: counter}\n").count, 0)
    }
}
