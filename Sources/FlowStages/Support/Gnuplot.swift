import Foundation

/// Renders figures with gnuplot (installed by `make bootstrap`; DESIGN §6 `report`): data go to
/// files in the stage's own scratch directory under the workspace (`StageContext.makeTemporaryDirectory`),
/// the script runs with `pngcairo` there, and the PNG bytes come back; the stage publishes them.
/// Figure names are plain file names (checked at validation), so nothing is written elsewhere.
/// A missing gnuplot or a failing script is an error naming the figure.
struct Gnuplot {
    let directory: String

    func cleanup() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes rows of numbers as a whitespace-separated data file; an empty row writes a blank
    /// line (gnuplot's block separator). Returns the file's path.
    func data(_ name: String, rows: [[Double]]) throws -> String {
        var text = ""
        text.reserveCapacity(rows.count * 24)
        for r in rows {
            text += r.map { $0.isFinite ? String(format: "%.9g", $0) : "NaN" }.joined(separator: " ") + "\n"
        }
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// Runs `script` (which must `set output` to `output`) and returns the PNG bytes.
    func render(_ script: String, output: String, figure: String) throws -> Data {
        let scriptPath = directory + "/\(figure).gp"
        try script.write(toFile: scriptPath, atomically: false, encoding: .utf8)
        let exe = ["/usr/bin/gnuplot", "/usr/local/bin/gnuplot"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let exe else {
            throw GnuplotError("gnuplot is not installed (needed for figure '\(figure)'); run `make bootstrap` or apt-get install gnuplot-nox")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = [scriptPath]
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let png = FileManager.default.contents(atPath: output), !png.isEmpty else {
            let msg = String(decoding: errData, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "no output"
            throw GnuplotError("gnuplot failed on figure '\(figure)': \(msg)")
        }
        return png
    }

    /// Quotes a string for a gnuplot script.
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `noenhanced`: dataset names such as `distance_mean` are labels, not subscript markup.
    static let header = "set terminal pngcairo size 900,700 noenhanced font 'DejaVu Sans,11'\n"
}

struct GnuplotError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
