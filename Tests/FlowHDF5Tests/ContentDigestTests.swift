import Foundation
import XCTest
@testable import FlowHDF5

final class ContentDigestTests: HDF5TestCase {
    /// A small file with every kind of content; `change` may alter one thing.
    private func write(_ name: String, reversed: Bool = false, change: String? = nil) throws -> String {
        try makeFile(name) { root in
            var steps: [() throws -> Void] = [
                {
                    try root.write("x", [1.0, 2, 3, 4, 5, 6], shape: change == "shape" ? [3, 2] : [2, 3])
                    try root.dataset("x").setAttribute("units", .strings(change == "attribute" ? ["nm"] : ["Å"]))
                },
                { try root.write("y", change == "value" ? [Float(1), 2, 4] : [Float(1), 2, 3], shape: [3]) },
                { try root.write("labels", strings: change == "string" ? ["a", "c"] : ["a", "b"]) },
                { try root.write(change == "name" ? "network/w2" : "network/w", [Int32(7)], shape: []) },
                { try root.createGroup("empty") },
                { try root.setAttribute("kind", .string("test")) },
                { try root.setAttribute("n", change == "attribute type" ? .double(3) : .int(3)) },
            ]
            if change == "type" { steps[1] = { try root.write("y", [1.0, 2, 3], shape: [3]) } }
            if change == "extra group" { steps.append { try root.createGroup("network/more") } }
            if change == "extra attribute" { steps.append { try root.group("empty").setAttribute("e", .ints([])) } }
            if reversed { steps.reverse() }
            for step in steps { try step() }
        }
    }

    func testWriteOrderDoesNotMatter() throws {
        XCTAssertEqual(try contentHash(write("a.h5")), try contentHash(write("b.h5", reversed: true)))
    }

    func testBlockSizeAndLayoutDoNotMatter() throws {
        let values = (0..<300).map { Double($0) / 7 }
        let contiguous = try makeFile("contiguous.h5") { try $0.write("x", values, shape: [100, 3]) }
        let streamed = try makeFile("streamed.h5") { root in
            let dataset = try root.createDataset("x", of: Double.self, shape: [0, 3], extendableRows: true, chunkRows: 7)
            for start in stride(from: 0, to: 100, by: 9) {
                try dataset.writeRows(Array(values[(start * 3)..<(min(100, start + 9) * 3)]), at: start)
            }
        }
        let strings = try makeFile("strings.h5") { try $0.write("s", strings: (0..<50).map { "row \($0)" }, shape: [25, 2]) }
        XCTAssertEqual(try contentHash(contiguous), try contentHash(streamed))
        XCTAssertEqual(try contentHash(contiguous), try contentHash(contiguous, blockBytes: 40))
        XCTAssertEqual(try contentHash(strings), try contentHash(strings, blockBytes: 1))
    }

    func testEverySingleChangeChangesTheStream() throws {
        let base = try contentHash(write("base.h5"))
        let changes = ["shape", "value", "string", "name", "type", "attribute type", "attribute", "extra group", "extra attribute"]
        var seen: Set<UInt64> = [base]
        for change in changes {
            let hash = try contentHash(write("\(change).h5", change: change))
            XCTAssertNotEqual(hash, base, change)
            seen.insert(hash)
        }
        XCTAssertEqual(seen.count, changes.count + 1, "every change gives its own stream")
    }

    func testIdenticalBytesAtDifferentTimes() throws {
        let first = try Data(contentsOf: URL(fileURLWithPath: write("first.h5")))
        Thread.sleep(forTimeInterval: 1.1)
        let second = try Data(contentsOf: URL(fileURLWithPath: write("second.h5")))
        XCTAssertEqual(first, second, "object time tracking must be off on every object")
    }

    func testStreamStartsWithHeaderAndNamesObjects() throws {
        let path = try makeFile("tiny.h5") { try $0.write("x", [UInt8(9)], shape: []) }
        var bytes: [UInt8] = []
        let hdf5 = try HDF5File.open(path)
        try hdf5.feedContent { bytes.append(contentsOf: $0) }
        try hdf5.close()
        var expected = Array("flow-hdf5-content 1\n".utf8)
        func integer(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { expected.append(contentsOf: $0) } }
        func text(_ string: String) { integer(string.utf8.count); expected.append(contentsOf: string.utf8) }
        expected.append(UInt8(ascii: "G")); text("/"); integer(0)
        expected.append(UInt8(ascii: "D")); text("/x"); text("uint8"); integer(0); expected.append(9); integer(0)
        XCTAssertEqual(bytes, expected)
    }
}
