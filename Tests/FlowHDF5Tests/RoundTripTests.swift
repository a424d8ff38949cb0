import XCTest
@testable import FlowHDF5

final class RoundTripTests: HDF5TestCase {
    private let shapes: [[Int]] = [[], [5], [3, 4], [2, 3, 4], [2, 1, 3, 2], [0, 3]]

    /// Writes `make(count)` for every rank 0–4 (and an empty one), reopens and checks values, shape
    /// and element type.
    private func checkRoundTrip<T: HDF5Scalar & Equatable>(_ type: T.Type, _ make: (Int) -> [T]) throws {
        let path = try makeFile("\(T.self).h5") { root in
            for (index, shape) in shapes.enumerated() {
                try root.write("x\(index)", make(shape.reduce(1, *)), shape: shape)
            }
        }
        try withFile(path) { root in
            for (index, shape) in shapes.enumerated() {
                let (values, readShape) = try root.read("x\(index)", as: T.self)
                XCTAssertEqual(readShape, shape)
                XCTAssertEqual(values, make(shape.reduce(1, *)), "rank \(shape.count)")
                XCTAssertEqual(try root.dataset("x\(index)").elementType, T.hdf5ElementType)
            }
        }
    }

    func testFloat64() throws {
        try checkRoundTrip(Double.self) { n in
            (0..<n).map { (index: Int) -> Double in index == 1 ? .greatestFiniteMagnitude : Double(index) * 1.25 - 3 }
        }
    }

    func testFloat32() throws {
        try checkRoundTrip(Float.self) { n in (0..<n).map { Float($0) / 3 } }
    }

    func testInt64() throws {
        try checkRoundTrip(Int64.self) { n in (0..<n).map { $0 == 0 ? .min : Int64($0) * 1_000_000_007 } }
    }

    func testInt32() throws {
        try checkRoundTrip(Int32.self) { n in (0..<n).map { $0 == 0 ? .max : Int32($0) - 7 } }
    }

    func testUInt8() throws {
        try checkRoundTrip(UInt8.self) { n in (0..<n).map { UInt8(($0 * 37) % 256) } }
    }

    func testIntIsStoredAsInt64() throws {
        try checkRoundTrip(Int.self) { n in (0..<n).map { $0 * -3 } }
    }

    func testRowMajorLayout() throws {
        let n = 4, d = 3
        let values = (0..<(n * d)).map { Double($0) }
        let path = try makeFile("rows.h5") { try $0.write("x", values, shape: [n, d]) }
        try withFile(path) { root in
            let dataset = try root.dataset("x")
            for i in 0..<n {
                XCTAssertEqual(try dataset.readRows(i..<(i + 1), as: Double.self), (0..<d).map { values[i * d + $0] })
            }
        }
    }

    func testConversionOnRead() throws {
        let path = try makeFile("convert.h5") { root in
            try root.write("f32", [Float(0.5), 1.5, -2.25], shape: [3])
            try root.write("i32", [Int32(-4), 7], shape: [2])
            try root.write("u8", [UInt8(255), 0], shape: [2])
            try root.write("f64", [1.0 / 3.0, 2.5], shape: [2])
        }
        try withFile(path) { root in
            XCTAssertEqual(try root.read("f32", as: Double.self).values, [0.5, 1.5, -2.25])
            XCTAssertEqual(try root.read("i32", as: Double.self).values, [-4, 7])
            XCTAssertEqual(try root.read("i32", as: Int64.self).values, [-4, 7])
            XCTAssertEqual(try root.read("u8", as: Int.self).values, [255, 0])
            XCTAssertEqual(try root.read("f64", as: Float.self).values, [Float(1.0 / 3.0), 2.5])
        }
    }

    func testStrings() throws {
        let texts = ["plain", "", "Müller–Brown ψ₁", "日本語", "🧪 e^{−βV}", "tab\tand\nnewline"]
        let path = try makeFile("strings.h5") { root in
            try root.write("list", strings: texts)
            try root.write("grid", strings: ["a", "β", "c", "δ"], shape: [2, 2])
            try root.write("scalar", strings: ["only"], shape: [])
        }
        try withFile(path) { root in
            XCTAssertEqual(try root.readStrings("list"), texts)
            XCTAssertEqual(try root.readStrings("grid"), ["a", "β", "c", "δ"])
            XCTAssertEqual(try root.dataset("grid").shape, [2, 2])
            XCTAssertEqual(try root.readStrings("scalar"), ["only"])
            XCTAssertEqual(try root.dataset("scalar").shape, [])
            XCTAssertEqual(try root.dataset("list").elementType, .string)
        }
    }

    func testWriteRefusesBadInput() throws {
        let hdf5 = try HDF5File.create(file("bad.h5"))
        let root = hdf5.root
        assertHDF5Error(["write dataset", "'/x'", "5 values", "[2, 3]"]) { try root.write("x", [1.0, 2, 3, 4, 5], shape: [2, 3]) }
        assertHDF5Error(["'/x'", "negative"]) { try root.write("x", [Double](), shape: [-1, 0]) }
        assertHDF5Error(["'/s'", "NUL"]) { try root.write("s", strings: ["a\u{0}b"]) }
        assertHDF5Error(["invalid object name 'a//b'"]) { try root.write("a//b", [1.0], shape: [1]) }
        XCTAssertFalse(root.contains("x"), "a refused write leaves no dataset behind")
        try root.write("x", [1.0], shape: [1])
        assertHDF5Error(["create dataset", "'/x'", "bad.h5"]) { try root.write("x", [1.0], shape: [1]) }
        assertHDF5Error(["'/x'", "strings"]) { _ = try root.readStrings("x") }
        try root.write("s", strings: ["a"])
        assertHDF5Error(["'/s'", "holds text, not numbers"]) { _ = try root.read("s", as: Double.self) }
        try hdf5.close()
    }
}
