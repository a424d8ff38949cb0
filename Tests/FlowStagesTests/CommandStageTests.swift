import XCTest
import FlowHDF5

/// `kind: command` (DESIGN §6) through the `flow` binary, with a shell script and the machine's
/// python3 (standard library only) as the external programs.
final class CommandStageTests: XCTestCase {
    var cli: FlowCLI!

    /// Writes a CSV, a copy of its HDF5 input and a .npy (by hand: no NumPy needed), and prints
    /// the environment it was given.
    static let script = """
    set -e
    out="$2"
    printf 'a,b\\n1,2\\n3.5,4\\n' > "$out/t.csv"
    cp "$1" "$out/copy.h5"
    python3 scripts/npy.py "$out/n.npy"
    echo "input=$FLOW_INPUT_DATA table=$FLOW_INPUT_TABLE seed=$FLOW_SEED"
    """

    static let npy = """
    import struct, sys
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
    header += " " * (64 - 10 - len(header) - 1) + "\\n"
    with open(sys.argv[1], "wb") as f:
        f.write(b"\\x93NUMPY\\x01\\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<3d", 0.5, -1.0, 2.25))
    """

    static let workflow = """
    name: cmd
    systems: {mb: {kind: mueller-brown}}
    stages:
      sample: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
      tool:
        kind: command
        inputs: {data: sample, table: {file: table.txt}}
        params:
          run: sh scripts/make.sh {inputs.data} {outputs}
          code: [scripts/make.sh, scripts/npy.py]
          outputs: {t: t.csv, copy: copy.h5, n: n.npy}
    """

    override func setUp() {
        cli = FlowCLI()
        try! FileManager.default.createDirectory(atPath: cli.workspace + "/scripts", withIntermediateDirectories: true)
        cli.write("scripts/make.sh", Self.script)
        cli.write("scripts/npy.py", Self.npy)
        cli.write("table.txt", "1 2 3\n")
        cli.write("cmd.yaml", Self.workflow)
    }

    override func tearDown() { cli.remove() }

    func testDeclaredOutputsAreImportedUnderTheirNames() throws {
        let r = try cli.run(["run", "cmd.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let f = try HDF5File.open(cli.workspace + "/results/cmd/tool.h5", mode: .readOnly)
        defer { try? f.close() }
        let t = try f.root.read("t", as: Double.self)
        XCTAssertEqual(t.values, [1, 2, 3.5, 4])
        XCTAssertEqual(t.shape, [2, 2])
        XCTAssertEqual(try f.root.read("n", as: Double.self).values, [0.5, -1.0, 2.25])
        let sample = try HDF5File.open(cli.workspace + "/results/cmd/sample.h5", mode: .readOnly)
        defer { try? sample.close() }
        XCTAssertEqual(try f.root.group("copy").read("x", as: Double.self).values, try sample.root.read("x", as: Double.self).values,
                       "an .h5 output is imported as a group of its datasets")
        let stdout = try f.root.dataset("stdout").readStrings().joined()
        XCTAssertTrue(stdout.contains("/.flow/objects/") && stdout.contains("table=") && stdout.contains("table.txt"), stdout)
    }

    func testTheCommandLineAndTheCodeFilesAreInTheKey() throws {
        XCTAssertEqual(try cli.run(["run", "cmd.yaml"]).status, 0)
        XCTAssertTrue(try cli.run(["run", "cmd.yaml"]).stderr.contains("0 ran, 2 cached"))
        cli.write("scripts/npy.py", Self.npy + "\n# edited\n")
        let edited = try cli.run(["run", "cmd.yaml"])
        XCTAssertTrue(edited.stderr.contains("1 ran, 1 cached"), "editing a code: file reruns the stage: \(edited.stderr)")
        let changed = try cli.run(["status", "cmd.yaml", "--set", "tool.params.run=sh scripts/make.sh {inputs.data} {outputs} x"])
        XCTAssertTrue(changed.stdout.contains("tool") && changed.stdout.contains("params.run:"), changed.stdout)
    }

    func testFailuresNameTheCauseWithTheProgramsStandardError() throws {
        let exit = try cli.run(["run", "cmd.yaml", "--set", "tool.params.run=echo boom >&2; exit 3"])
        XCTAssertEqual(exit.status, 1)
        XCTAssertTrue(exit.stderr.contains("the command exited with status 3; last lines of standard error:\nboom"), exit.stderr)
        let missing = try cli.run(["run", "cmd.yaml", "--set", "tool.params.run=true"])
        XCTAssertTrue(missing.stderr.contains("the command did not write its declared output 'copy' ({outputs}/copy.h5)"), missing.stderr)
        let malformed = try cli.run(["run", "cmd.yaml", "--set", "tool.params.run=sh scripts/make.sh {inputs.data} {outputs}; echo '5,x' >> {outputs}/t.csv"])
        XCTAssertTrue(malformed.stderr.contains("output 't' ({outputs}/t.csv) is malformed: line 4 holds something other than numbers: 5,x"), malformed.stderr)
        let unknown = try cli.run(["run", "cmd.yaml", "--set", "tool.params.run=cat {inputs.nothing}"])
        XCTAssertTrue(unknown.stderr.contains("run: {inputs.nothing} names no input; the stage's inputs are data, table"), unknown.stderr)
        let format = try cli.run(["validate", "cmd.yaml", "--set", "tool.params.outputs={x: x.txt}"])
        XCTAssertEqual(format.status, 2)
        XCTAssertTrue(format.stderr.contains("outputs.x: 'x.txt' is not a format flow imports; use .npy, .csv, .dcd or .h5"), format.stderr)
        XCTAssertEqual(cli.files(under: ".flow/records").filter { $0.hasSuffix(".json") }.count, 1, "only sample committed")
    }
}
