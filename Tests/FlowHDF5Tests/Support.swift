import Foundation
import XCTest
@testable import FlowHDF5

/// Base class for the module's tests: a fresh temporary directory per test, and a check that every
/// HDF5 handle opened during the test was closed again by the end of it.
class HDF5TestCase: XCTestCase {
    private(set) var directory = ""
    private var openObjectsAtStart = 0

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowhdf5-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        openObjectsAtStart = FlowHDF5Library.openObjectCount
    }

    override func tearDownWithError() throws {
        XCTAssertEqual(FlowHDF5Library.openObjectCount, openObjectsAtStart, "HDF5 handles leaked by \(name)")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A path in this test's directory.
    func file(_ name: String) -> String { directory + "/" + name }

    /// Creates a file, lets `body` fill its root group, and closes it.
    func makeFile(_ name: String, _ body: (HDF5Group) throws -> Void) throws -> String {
        let path = file(name)
        let hdf5 = try HDF5File.create(path)
        try body(hdf5.root)
        try hdf5.close()
        return path
    }

    /// Opens a file read-only for `body` and closes it again.
    func withFile<R>(_ path: String, _ body: (HDF5Group) throws -> R) throws -> R {
        let hdf5 = try HDF5File.open(path)
        defer { try? hdf5.close() }
        return try body(hdf5.root)
    }

    /// The 64-bit FNV-1a hash of a file's content stream (small blocks when `blockBytes` is given).
    func contentHash(_ path: String, blockBytes: Int? = nil) throws -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let sink: (UnsafeRawBufferPointer) -> Void = { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        let hdf5 = try HDF5File.open(path)
        defer { try? hdf5.close() }
        if let blockBytes = blockBytes {
            try hdf5.feedContent(to: sink, blockBytes: blockBytes)
        } else {
            try hdf5.feedContent(to: sink)
        }
        return hash
    }

    /// Runs `body` with file descriptor 2 redirected and returns what was written to stderr.
    func capturingStandardError(_ body: () throws -> Void) rethrows -> String {
        let capture = file("stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: capture, contents: nil)
        let saved = dup(2)
        let target = open(capture, O_WRONLY)
        dup2(target, 2)
        close(target)
        defer {
            fflush(stderr)
            dup2(saved, 2)
            close(saved)
        }
        try body()
        fflush(stderr)
        return (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
    }

    /// Asserts that `body` throws an `HDF5Error` whose message contains every one of `fragments`,
    /// and that nothing reaches stderr meanwhile.
    func assertHDF5Error(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> Void) {
        var thrown: Error?
        let printed = capturingStandardError {
            do { try body() } catch { thrown = error }
        }
        XCTAssertEqual(printed, "", "libhdf5 printed to stderr", file: file, line: line)
        guard let error = thrown as? HDF5Error else {
            return XCTFail("expected an HDF5Error, got \(String(describing: thrown))", file: file, line: line)
        }
        let message = error.description
        XCTAssertFalse(message.contains("\n"), "message is not one line: \(message)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "'\(message)' does not mention '\(fragment)'", file: file, line: line)
        }
    }
}
