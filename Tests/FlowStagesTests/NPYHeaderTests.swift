import Foundation
import XCTest
@testable import FlowStages

/// A `.npy` header that lies about its shape (negative, astronomically large, overflowing) is an
/// error naming the file, never an overflow trap or an allocation failure.
final class NPYHeaderTests: XCTestCase {
    /// A version-1.0 `.npy` file with `shape` written verbatim into the header and `payload` bytes.
    func npy(shape: String, payload: Int = 16) -> Data {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        d.append(Data(header.utf8))
        d.append(Data(repeating: 0, count: payload))
        return d
    }

    func testAWellFormedFileReads() throws {
        let a = try NPYReader.parse(npy(shape: "(2,)"), path: "ok.npy")
        XCTAssertEqual(a.shape, [2])
        XCTAssertEqual(a.values, [0, 0])
    }

    func testLyingShapesAreErrors() {
        for (shape, message) in [
            ("(-1, 2)", "'bad.npy': the header's shape (-1, 2) has '-1', which is not a non-negative integer"),
            ("(x, 2)", "'bad.npy': the header's shape (x, 2) has 'x', which is not a non-negative integer"),
            ("(99999999999999999999,)", "'bad.npy': the header's shape (99999999999999999999,) has '99999999999999999999'"),
            ("(4294967296, 4294967296)", "'bad.npy': the header's shape (4294967296, 4294967296) has more elements than can be represented"),
            ("(1152921504606846976,)", "'bad.npy': the header's shape (1152921504606846976,) has more elements than can be represented"),
            ("(1152921504606846975,)", "'bad.npy' is truncated: 1152921504606846975 elements of 8 bytes expected"),
            ("(1000000000000,)", "'bad.npy' is truncated: 1000000000000 elements of 8 bytes expected, 16 bytes present"),
        ] {
            XCTAssertThrowsError(try NPYReader.parse(npy(shape: shape), path: "bad.npy"), shape) { e in
                XCTAssertTrue("\(e)".hasPrefix(message), "\(shape): \(e)")
            }
        }
    }
}
