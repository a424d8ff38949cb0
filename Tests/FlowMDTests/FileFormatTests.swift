import Foundation
import XCTest
@testable import FlowMD

/// Round trips of every writer through its reader, byte-level DCD layout, and one-line
/// `file:line` errors for malformed input.
final class FileFormatTests: XCTestCase {
    func testPSFRoundTripStandardAndExtended() throws {
        var topology = try BuiltInMolecules.decaAlanine().topology
        topology.crossTerms = [CrossTerm(phi: Dihedral(9, 11, 13, 19), psi: Dihedral(11, 13, 19, 21))]
        topology.explicitExclusions = [Bond(0, 50), Bond(3, 70)]
        let text = PSFWriter.text(topology)
        XCTAssertTrue(text.hasPrefix("PSF CMAP\n"))
        XCTAssertEqual(try PSFReader.read(text: text), topology)
        topology.atoms[0].name = "NLONGNAME"
        let ext = PSFWriter.text(topology)
        XCTAssertTrue(ext.hasPrefix("PSF EXT CMAP\n"))
        XCTAssertEqual(try PSFReader.read(text: ext), topology)
    }

    func testReferencePSFSurvivesARoundTrip() throws {
        let dir = try TestData.decaAlanineDirectory()
        let reference = try PSFReader.read(path: dir + "/da.psf")
        XCTAssertEqual(try PSFReader.read(text: PSFWriter.text(reference)), reference)
    }

    func testPDBRoundTripAndToleratedCRYST1() throws {
        let system = try BuiltInMolecules.decaAlanine()
        var second = system.positions
        for i in second.indices { second[i] += 0.5 }
        let text = PDBFile.text(system.topology, frames: [system.positions, second], cell: [30, 31, 32, 90, 90, 90])
        let read = try PDBFile.read(text: text)
        XCTAssertEqual(read.frames.count, 2)
        XCTAssertEqual(read.cell, [30, 31, 32, 90, 90, 90])
        XCTAssertEqual(read.records.map(\.name), system.topology.atoms.map(\.name))
        XCTAssertEqual(read.records.map(\.segment), system.topology.atoms.map { _ in "BH" })
        XCTAssertEqual(read.records[0].element, "N")
        for (a, b) in zip(read.frames[1], second) { XCTAssertEqual(a, b, accuracy: 5e-4) }
        let odd = "CRYST1    0.000    0.000    0.000   0.00   -NaN-154243993072403881666760839735915053056.00 P 1           1\n"
            + "ATOM      1  N   ALA B   1       0.166   0.267  -0.304  1.00  0.00      BH  \nEND\n"
        let tolerant = try PDBFile.read(text: odd, source: "odd.pdb")
        XCTAssertNil(tolerant.cell)
        XCTAssertEqual(tolerant.frames[0], [0.166, 0.267, -0.304])
    }

    func testReferencePDBReads() throws {
        let dir = try TestData.decaAlanineDirectory()
        let pdb = try PDBFile.read(path: dir + "/smd_ini.pdb")
        XCTAssertEqual(pdb.records.count, 104)
        XCTAssertNil(pdb.cell)
    }

    func testDCDRoundTripAndLayout() throws {
        let frames: [[Double]] = (0..<3).map { f in (0..<30).map { Double($0) * 0.37 - Double(f) * 1.5 } }
        let path = TestData.temporaryPath("roundtrip.dcd")
        try DCDWriter.write(frames: frames, atomCount: 10, to: path, timeStep: 0.002, stepsPerFrame: 500)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        func int32(_ at: Int) -> Int32 { Int32(bitPattern: DCDReader.readUInt32(bytes, at, bigEndian: false)) }
        XCTAssertEqual(int32(0), 84)
        XCTAssertEqual(Array(bytes[4..<8]), Array("CORD".utf8))
        XCTAssertEqual(int32(8), 3)        // frames
        XCTAssertEqual(int32(16), 500)     // steps between frames
        XCTAssertEqual(int32(20), 1000)    // last step
        XCTAssertEqual(int32(84), 24)      // CHARMM version
        XCTAssertEqual(int32(88), 84)
        XCTAssertEqual(int32(92), 84)      // title record: 4 + 80
        XCTAssertEqual(int32(96), 1)
        XCTAssertEqual(int32(184), 4)
        XCTAssertEqual(int32(188), 10)     // atoms
        XCTAssertEqual(bytes.count, 196 + 3 * 3 * (8 + 40))
        let read = try DCDReader.read(path: path)
        XCTAssertEqual(read.atomCount, 10)
        XCTAssertEqual(read.stepsPerFrame, 500)
        XCTAssertEqual(read.timeStep, 0.002, accuracy: 1e-9)
        XCTAssertEqual(read.frames.count, 3)
        for (f, g) in zip(read.frames, frames) { for (a, b) in zip(f, g) { XCTAssertEqual(a, Double(Float(b))) } }
        XCTAssertThrowsError(try DCDReader.read(data: Data(bytes.prefix(bytes.count - 7)), source: "cut.dcd")) {
            XCTAssertTrue(String(describing: $0).hasPrefix("cut.dcd: byte "), String(describing: $0))
        }
        // Lying headers are errors, not a trap at a negative index or a huge allocation.
        func patched(_ at: Int, _ value: Int32) -> Data {
            var b = bytes
            withUnsafeBytes(of: value.littleEndian) { b.replaceSubrange(at..<(at + 4), with: $0) }
            return Data(b)
        }
        XCTAssertThrowsError(try DCDReader.read(data: patched(92, -200), source: "neg.dcd")) {
            XCTAssertEqual(String(describing: $0), "neg.dcd: byte 92: title record length -200 is negative")
        }
        XCTAssertThrowsError(try DCDReader.read(data: patched(188, Int32.max), source: "big.dcd")) {
            XCTAssertTrue(String(describing: $0).hasPrefix("big.dcd: byte 188: atom count 2147483647 needs more bytes per frame"), String(describing: $0))
        }
    }

    func testXYZRoundTrip() throws {
        let system = try BuiltInMolecules.butane()
        let elements = system.topology.atoms.map(\.element)
        XCTAssertEqual(elements.filter { $0 == "C" }.count, 4)
        let text = XYZFile.text(elements: elements, frames: [system.positions, system.positions.map { -$0 }])
        let read = try XYZFile.read(text: text)
        XCTAssertEqual(read.elements, elements)
        XCTAssertEqual(read.frames.count, 2)
        for (a, b) in zip(read.frames[1], system.positions) { XCTAssertEqual(a, -b, accuracy: 1e-8) }
    }

    func assertError(_ expression: @autoclosure () throws -> Any, _ prefix: String, contains: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.hasPrefix(prefix), "'\(message)' should start with '\(prefix)'", file: file, line: line)
            XCTAssertTrue(message.contains(contains), "'\(message)' should mention '\(contains)'", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), file: file, line: line)
        }
    }

    func testMalformedInputIsRejectedWithFileAndLine() throws {
        let psf = PSFWriter.text(try BuiltInMolecules.butane().topology)
        var lines = psf.components(separatedBy: "\n")
        let atomLine = lines.firstIndex { $0.contains("!NATOM") }! + 3
        lines[atomLine] = "       3 BUT  1    BUTA H12  HA3   zero  1.0080 0"
        assertError(try PSFReader.read(text: lines.joined(separator: "\n"), source: "bad.psf"), "bad.psf:\(atomLine + 1): ",
                    contains: "not a number")
        lines = psf.components(separatedBy: "\n")
        let bondLine = lines.firstIndex { $0.contains("!NBOND") }! + 1
        lines[bondLine] = lines[bondLine].replacingOccurrences(of: "       2", with: "      99")
        assertError(try PSFReader.read(text: lines.joined(separator: "\n"), source: "bad.psf"), "bad.psf:\(bondLine + 1): ",
                    contains: "atom 99")
        assertError(try PSFReader.read(text: "REMARKS\n", source: "x.psf"), "x.psf:1: ", contains: "PSF")
        assertError(try PDBFile.read(text: "ATOM      1  N   ALA B   1       0.166   abcde  -0.304\n", source: "b.pdb"),
                    "b.pdb:1: ", contains: "not numbers")
        assertError(try CharmmParameterReader.read(text: "BONDS\nCT1 C 250.0\n", source: "p.prm"), "p.prm:2: ", contains: "bond")
        assertError(try CharmmParameterReader.read(text: "DIHEDRALS\nX CT1 CT1 X 0.2 3.5 0.0\n", source: "p.prm"), "p.prm:2: ",
                    contains: "multiplicity")
        assertError(try XYZFile.read(text: "2\ncomment\nC 0 0 0\n", source: "a.xyz"), "a.xyz:4: ", contains: "element x y z")
        assertError(try ResidueTemplateReader.read(text: "RESI X 0\nATOM A CT1\n", source: "t.rtf"), "t.rtf:2: ", contains: "ATOM")
    }

    func testMissingParametersNameTheAtomTypes() throws {
        let system = try BuiltInMolecules.decaAlanine()
        var parameters = system.parameters
        parameters.angles.removeValue(forKey: ParameterSet.angleKey("HA", "CT3", "HA"))
        XCTAssertThrowsError(try ForceField(topology: system.topology, parameters: parameters)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("no angle parameters for atom types HA CT3 HA"), message)
            XCTAssertTrue(message.contains("ALA1:HB1"), message)
        }
        parameters = system.parameters
        parameters.dihedrals.removeValue(forKey: ParameterSet.dihedralKey(["X", "CT1", "CT3", "X"]))
        XCTAssertThrowsError(try ForceField(topology: system.topology, parameters: parameters)) { error in
            XCTAssertTrue(String(describing: error).contains("no dihedral parameters for atom types"), String(describing: error))
        }
    }

    func testWildcardPrecedence() throws {
        let text = """
        DIHEDRALS
        X    CT1  NH1  X        0.3000  3     0.00
        H    NH1  CT1  HB       0.7000  2   180.00
        H    NH1  CT1  HB       0.1000  4     0.00
        H    NH1  CT1  HB       0.9000  2     0.00
        IMPROPER
        NH1  X    X    H       20.0000  0     0.00
        X    CT1  C    O       11.0000  0     0.00
        NH1  C    CT1  H       33.0000  0     0.00
        END
        """
        let p = try CharmmParameterReader.read(text: text)
        // Exact (either direction) beats the X wildcard; repeated multiplicities replace.
        XCTAssertEqual(try p.dihedral(["HB", "CT1", "NH1", "H"]).map(\.multiplicity).sorted(), [2, 4])
        XCTAssertEqual(try p.dihedral(["HB", "CT1", "NH1", "H"]).first { $0.multiplicity == 2 }?.k, 0.9)
        XCTAssertEqual(try p.dihedral(["C", "CT1", "NH1", "H"]).map(\.k), [0.3])
        XCTAssertEqual(try p.improper(["NH1", "C", "CT1", "H"]).k, 33)   // exact
        XCTAssertEqual(try p.improper(["H", "CT1", "C", "NH1"]).k, 33)   // exact, reversed
        XCTAssertEqual(try p.improper(["NH1", "CC", "CT2", "H"]).k, 20)  // A X X D
        XCTAssertEqual(try p.improper(["NX", "CT1", "C", "O"]).k, 11)    // X B C D
    }
}
