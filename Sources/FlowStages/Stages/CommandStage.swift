import Foundation
import FlowCore
import FlowHDF5
import FlowMD

/// `kind: command` — an external program as a stage (DESIGN §6): an OpenMM or PLUMED script, a
/// user's analysis, run by the user's own interpreter (nothing of it is a dependency of flow).
///
/// The command line runs with `/bin/sh -c` in the workspace. Each input (a stage's output or a
/// `{file: …}`) is passed as a path, both in the environment (`FLOW_INPUT_<NAME>`, the name upper-
/// cased) and through `{inputs.NAME}` placeholders; `{outputs}` (and `FLOW_OUTPUT_DIR`) is an empty
/// directory where the program writes the files declared under `outputs:`, `{seed}` and `{cpus}`
/// are the stage's seed and cores. The command line as written and the content of every file
/// listed under `code:` enter the cache key, so editing the script reruns the stage.
///
/// Each declared output is imported into the stage's one HDF5 file under its declared name:
/// `.npy` (any rank) and `.csv` (rows × columns of numbers, an optional header line) become a
/// float64 dataset, `.dcd` a frames × 3·atoms float64 dataset in Å, `.h5` a group holding the
/// file's top-level numeric and string datasets. A non-zero exit, a missing declared output or a
/// malformed file fails the stage with the program's last lines of standard error.
enum CommandStage: StageKind {
    static let name = "command"
    static let version = 1
    static let summary = "an external program with declared inputs and outputs, imported into one HDF5 file"
    static let inputs: [InputSpec] = []
    static let acceptsAnyInputs = true

    enum Output {
        static let stdout = OutputDataset.strings("/stdout", "scalar", "the program's standard output")
    }
    static let outputs = [Output.stdout]

    static func outputs(of p: Parameters) -> [OutputDataset] {
        outputs + p.outputs.keys.sorted().map { name in
            let file = p.outputs[name]!
            return Format(file: file) == .hdf5
                ? .group("/\(name)", "the top-level datasets of \(file), written by the program")
                : .float64("/\(name)", "rows × columns", "\(file), written by the program")
        }
    }

    enum Format {
        case npy, csv, dcd, hdf5

        init?(file: String) {
            switch (file as NSString).pathExtension.lowercased() {
            case "npy": self = .npy
            case "csv": self = .csv
            case "dcd": self = .dcd
            case "h5", "hdf5": self = .hdf5
            default: return nil
            }
        }
    }

    struct Parameters: Decodable {
        var run: String
        var code: [ContentFile]
        var outputs: [String: String]

        enum CodingKeys: String, CodingKey { case run, code, outputs }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            let line: String? = try p.optional(.run, help: "the command line, run with /bin/sh -c in the workspace; placeholders {inputs.NAME}, {outputs}, {seed}, {cpus}")
            try p.check(line.map { !$0.isEmpty } ?? false, .run, "a command stage needs run: (the command line), e.g. run: python3 scripts/analyze.py {inputs.data} {outputs}/x.npy")
            run = line ?? ""
            code = try p(.code, literal: [], help: "files the command runs (scripts, modules) whose content is part of the cache key, relative to the workspace")
            outputs = try p(.outputs, literal: .object([:]), help: "NAME: FILE for each file the program writes into {outputs} (.npy, .csv, .dcd or .h5), imported as /NAME")
            for (name, file) in outputs.sorted(by: { $0.key < $1.key }) {
                if let problem = InputLimits.pathComponentProblem(name) ?? (name == "stdout" ? "is the program's standard output" : nil) {
                    try p.check(false, .outputs, "the output name '\(InputLimits.printable(name))' \(problem); give a plain name such as x")
                } else if let problem = InputLimits.pathComponentProblem(file) {
                    try p.check(false, .outputs, "outputs.\(name): the file '\(InputLimits.printable(file))' \(problem); give a file name inside {outputs}, such as x.npy")
                } else {
                    try p.check(Format(file: file) != nil, .outputs, "outputs.\(name): '\(file)' is not a format flow imports; use .npy, .csv, .dcd or .h5")
                }
            }
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let scratch = try context.makeTemporaryDirectory("command")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outputDirectory = scratch + "/outputs"
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        var paths: [String: String] = [:]
        for name in context.inputNames {
            guard let path = context.inputPath(name) else { continue }
            paths[name] = path
            environment["FLOW_INPUT_" + name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()] = path
        }
        environment["FLOW_OUTPUT_DIR"] = outputDirectory
        environment["FLOW_SEED"] = String(context.seed)
        environment["FLOW_CPUS"] = String(context.cpus)
        let line = try fill(p.run, inputs: paths, outputs: outputDirectory, seed: context.seed, cpus: context.cpus, stage: context.stageName)
        context.log("command: \(line)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", line]
        process.currentDirectoryURL = URL(fileURLWithPath: context.workspace)
        process.environment = environment
        _ = FileManager.default.createFile(atPath: scratch + "/stdout", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch + "/stderr", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/stdout"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/stderr"))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning {
            do {
                try context.checkCancellation()
            } catch {
                process.terminate()
                process.waitUntilExit()
                throw error
            }
            usleep(50_000)
        }
        try? out.close()
        try? err.close()
        let stderr = (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? ""
        let tail = stderr.split(separator: "\n", omittingEmptySubsequences: true).suffix(10).joined(separator: "\n")
        func fail(_ message: String) -> Error {
            FlowError.stageFailed(stage: context.stageName, message: message + (tail.isEmpty ? " (no standard error)" : "; last lines of standard error:\n" + tail))
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            throw fail("the command \(how)")
        }
        let stdout = (try? String(contentsOfFile: scratch + "/stdout", encoding: .utf8)) ?? ""
        try context.output.root.write(Output.stdout, strings: [stdout])
        for declared in outputs(of: p) where declared != Output.stdout {
            let file = p.outputs[declared.name]!
            let path = outputDirectory + "/" + file
            guard FileManager.default.fileExists(atPath: path) else {
                throw fail("the command did not write its declared output '\(declared.name)' ({outputs}/\(file))")
            }
            do {
                try importOutput(path, format: Format(file: file)!, as: declared, into: context.output.root)
            } catch let e as FlowError {
                throw e
            } catch {
                throw fail("output '\(declared.name)' ({outputs}/\(file)) is malformed: \(error)")
            }
        }
    }

    /// The command line with its placeholders replaced by shell-quoted values.
    static func fill(_ template: String, inputs: [String: String], outputs: String, seed: UInt64, cpus: Int, stage: String) throws -> String {
        var line = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            line += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            switch name {
            case "outputs": line += quote(outputs)
            case "seed": line += String(seed)
            case "cpus": line += String(cpus)
            case _ where name.hasPrefix("inputs."):
                let input = String(name.dropFirst("inputs.".count))
                guard let path = inputs[input] else {
                    throw FlowError.stageFailed(stage: stage, message: "run: {\(name)} names no input; the stage's inputs are \(inputs.keys.sorted().joined(separator: ", ")) (declare it under inputs:)")
                }
                line += quote(path)
            default:
                line += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return line + rest
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func importOutput(_ path: String, format: Format, as d: OutputDataset, into root: HDF5Group) throws {
        switch format {
        case .npy:
            let a = try NPYReader.read(path)
            try root.write(d, values: a.values, shape: a.shape)
        case .csv:
            let (values, shape) = try readCSV(path)
            try root.write(d, values: values, shape: shape)
        case .dcd:
            let t = try DCDReader.read(path: path)
            try root.write(d, values: t.frames.flatMap { $0 }, shape: [t.frames.count, 3 * t.atomCount], units: "Å")
        case .hdf5:
            let source = try HDF5File.open(path, mode: .readOnly)
            defer { try? source.close() }
            let group = try root.createGroup(d)
            for name in try source.root.children() where !source.root.isGroup(name) {
                switch try source.root.dataset(name).elementType {
                case .float64:
                    let (v, shape) = try source.root.read(name, as: Double.self)
                    try group.write(name, v, shape: shape)
                case .int64:
                    let (v, shape) = try source.root.read(name, as: Int64.self)
                    try group.write(name, v, shape: shape)
                case .string:
                    try group.write(name, strings: try source.root.dataset(name).readStrings())
                case let other:
                    throw ImportError(description: "dataset '\(name)' holds \(other.rawValue); write float64, int64 or strings")
                }
            }
        }
    }

    /// Numbers separated by commas, one row per line; a first line that is not numbers is a header.
    static func readCSV(_ path: String) throws -> ([Double], [Int]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var values: [Double] = []
        var columns: Int?
        var rows = 0
        for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = fields.compactMap(Double.init)
            if numbers.count != fields.count {
                if i == 0 { continue }
                throw ImportError(description: "line \(i + 1) holds something other than numbers: \(line.prefix(60))")
            }
            if let c = columns, c != numbers.count {
                throw ImportError(description: "line \(i + 1) has \(numbers.count) columns, earlier lines \(c)")
            }
            columns = numbers.count
            values += numbers
            rows += 1
        }
        guard let c = columns else { throw ImportError(description: "no rows of numbers") }
        return (values, [rows, c])
    }

    struct ImportError: Error, CustomStringConvertible {
        let description: String
    }
}
