import Foundation
import XCTest
@testable import FlowHDF5

final class ErrorTests: HDF5TestCase {
    func testMissingFile() {
        let path = file("absent.h5")
        assertHDF5Error(["cannot open file", path, "no such file"]) { _ = try HDF5File.open(path) }
        XCTAssertFalse(HDF5File.isHDF5(path))
    }

    func testMissingObject() throws {
        let path = try makeFile("a.h5") { try $0.createGroup("g") }
        try withFile(path) { root in
            assertHDF5Error(["cannot open dataset '/x' in \(path)", "doesn't exist"]) { _ = try root.dataset("x") }
            assertHDF5Error(["open dataset '/g/y/z'", path]) { _ = try root.read("g/y/z", as: Double.self) }
            assertHDF5Error(["open group '/h'", path]) { _ = try root.group("h") }
            assertHDF5Error(["'/g'", path, "not a dataset"]) { _ = try root.dataset("g") }
        }
    }

    /// libhdf5's POSIX driver report of a failed write is cut to the failure, the system's reason
    /// and its errno; a full disk says what to do.
    func testDriverReportsAreCondensedToOneReason() {
        let report = "file write failed: time = Mon Dec  7 21:53:20 2026\n, filename = './.flow/tmp/s.h5', file descriptor = 7, "
            + "errno = 28, error message = 'No space left on device', buf = 0x7f0dfccbf830, total write size = 712704, "
            + "bytes this sub-write = 712704, bytes actually written = 18446744073709551615, offset = 0"
        XCTAssertEqual(HDF5Runtime.condensed(report),
                       "file write failed: No space left on device (errno 28); free space on that file system and run again")
        let other = report.replacingOccurrences(of: "errno = 28, error message = 'No space left on device'",
                                                with: "errno = 5, error message = 'Input/output error'")
        XCTAssertEqual(HDF5Runtime.condensed(other), "file write failed: Input/output error (errno 5)")
        XCTAssertEqual(HDF5Runtime.condensed("object 'x' doesn't exist"), "object 'x' doesn't exist")
    }

    /// The message reaches users through stages (a figure naming a text dataset): it says what the
    /// dataset holds and what to name instead, not which library call to use.
    func testReadingTextAsNumbersSaysWhatToName() throws {
        let path = try makeFile("s.h5") { try $0.write("names", strings: ["a", "b"]) }
        try withFile(path) { root in
            assertHDF5Error(["'/names'", path, "it holds text, not numbers; name a numeric dataset"]) { _ = try root.read("names", as: Double.self) }
        }
    }

    func testNotAnHDF5File() throws {
        let path = file("notes.txt")
        try "just text, not HDF5\n".write(toFile: path, atomically: true, encoding: .utf8)
        assertHDF5Error([path, "not an HDF5 file"]) { _ = try HDF5File.open(path) }
        XCTAssertFalse(HDF5File.isHDF5(path))
        let empty = file("empty.h5")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        assertHDF5Error([empty, "not an HDF5 file"]) { _ = try HDF5File.open(empty) }
        assertHDF5Error([directory, "directory"]) { _ = try HDF5File.open(directory) }
    }

    func testTruncatedFile() throws {
        let path = try makeFile("full.h5") { try $0.write("x", [Double](repeating: 1, count: 4096), shape: [4096]) }
        XCTAssertTrue(HDF5File.isHDF5(path))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = file("truncated.h5")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        assertHDF5Error(["cannot open file", truncated, "truncated"]) { _ = try HDF5File.open(truncated) }
    }

    func testCorruptData() throws {
        let path = try makeFile("corrupt.h5") { try $0.write("x", [Double](repeating: 1, count: 16), shape: [16]) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for index in 100..<400 { bytes[index] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))
        assertHDF5Error([path]) {
            let hdf5 = try HDF5File.open(path)
            defer { try? hdf5.close() }
            _ = try hdf5.root.read("x", as: Double.self)
        }
    }

    /// Threads that never used the module before get their error printing silenced too.
    func testFailuresOnOtherThreadsPrintNothing() throws {
        let absent = file("absent.h5")
        let present = try makeFile("present.h5") { _ in }
        let fail: @Sendable () -> Void = {
            XCTAssertNil(try? HDF5File.open(absent))
            XCTAssertNil(try? HDF5File.open(present).root.dataset("missing"))
        }
        let printed = capturingStandardError {
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                let thread = Thread(block: fail)
                thread.start()
                while !thread.isFinished { usleep(1000) }
                fail()
            }
        }
        XCTAssertEqual(printed, "")
    }
}
