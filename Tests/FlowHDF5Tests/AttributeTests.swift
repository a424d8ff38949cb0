import XCTest
@testable import FlowHDF5

final class AttributeTests: HDF5TestCase {
    private let cases: [String: HDF5AttributeValue] = [
        "double": .double(-0.125),
        "int": .int(.min),
        "string": .string("ε = auto, β⁻¹"),
        "doubles": .doubles([1.5, .infinity, -2]),
        "ints": .ints([3, -4, .max]),
        "strings": .strings(["kind", "", "ψ"]),
        "empty_doubles": .doubles([]),
        "empty_ints": .ints([]),
        "empty_strings": .strings([]),
        "one_double": .doubles([1]),
    ]

    private func setAll(on holder: HDF5AttributeHolder) throws {
        for (name, value) in cases { try holder.setAttribute(name, value) }
    }

    private func checkAll(on holder: HDF5AttributeHolder) throws {
        XCTAssertEqual(try holder.attributeNames(), cases.keys.sorted())
        for (name, value) in cases {
            XCTAssertEqual(try holder.attribute(name), value, "\(holder.path) \(name)")
        }
        XCTAssertNil(try holder.attribute("missing"))
    }

    func testEveryCaseOnFileGroupAndDataset() throws {
        let path = try makeFile("attributes.h5") { root in
            try setAll(on: root)
            try setAll(on: root.createGroup("g/h"))
            try root.write("g/x", [1.0], shape: [1])
            try setAll(on: root.dataset("g/x"))
        }
        try withFile(path) { root in
            try checkAll(on: root)
            try checkAll(on: root.group("g/h"))
            try checkAll(on: root.dataset("g/x"))
            XCTAssertEqual(try root.group("g").attributeNames(), [])
        }
    }

    func testReplacingAnAttributeChangesItsType() throws {
        let path = try makeFile("replace.h5") { root in
            try root.setAttribute("a", .int(1))
            try root.setAttribute("a", .strings(["x", "y"]))
        }
        try withFile(path) { root in
            XCTAssertEqual(try root.attribute("a"), .strings(["x", "y"]))
            XCTAssertEqual(try root.attributeNames(), ["a"])
        }
    }

    func testReadOnlyFileRefusesAttributeWrites() throws {
        let path = try makeFile("readonly.h5") { _ in }
        try withFile(path) { root in
            assertHDF5Error(["write attribute 'a' of", "'/'", "readonly.h5"]) { try root.setAttribute("a", .int(1)) }
        }
    }

    func testAttributeNamesAreSortedByBytes() throws {
        let path = try makeFile("order.h5") { root in
            for name in ["b", "a", "B", "é", "e"] { try root.setAttribute(name, .int(0)) }
        }
        try withFile(path) { root in
            XCTAssertEqual(try root.attributeNames(), ["B", "a", "b", "e", "é"])
        }
    }
}
