import Foundation
import XCTest

/// Runs the `flow` executable built next to the test bundle, in a throw-away workspace.
struct FlowCLI {
    static var executable: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidate = dir.appendingPathComponent("flow").path
        if !FileManager.default.isExecutableFile(atPath: candidate) {
            candidate = dir.deletingLastPathComponent().appendingPathComponent("flow").path
        }
        return candidate
    }

    let workspace: String

    init() {
        workspace = NSTemporaryDirectory() + "flow-cli-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) {
        try! text.write(toFile: workspace + "/" + name, atomically: true, encoding: .utf8)
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts `flow args…` in the workspace and returns the process (for signal tests).
    func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.executable)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: workspace)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    @discardableResult
    func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        let (p, out, err) = try start(args, environment: environment)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Waits until `condition` holds (polling), failing after `timeout` seconds.
    func waitFor(_ what: String, timeout: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \(what)")
        return false
    }

    func files(under dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: workspace + "/" + dir)?.allObjects as? [String]) ?? []
    }

    func remove() { try? FileManager.default.removeItem(atPath: workspace) }
}

extension FlowCLI {
    /// Runs `flow args…` in `directory` (stdout discarded): whether a signal ended it, its exit
    /// status and its standard error.
    static func run(_ args: [String], in directory: String) throws -> (signalled: Bool, status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationReason == .uncaughtSignal, p.terminationStatus, stderr)
    }
}
