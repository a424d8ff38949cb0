import XCTest
import FlowHDF5
@testable import FlowMD

/// `/topology` groups: what `simulate` writes must rebuild the identical `Topology`, so that
/// exports and later stages see exactly the molecule that was simulated.
final class TopologyHDF5Tests: XCTestCase {
    func roundTrip(_ topology: Topology) throws -> Topology {
        let path = TestData.temporaryPath("topology-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try HDF5File.create(path)
        try topology.write(to: try file.root.createGroup("topology"))
        try file.close()
        let reopened = try HDF5File.open(path)
        defer { try? reopened.close() }
        return try Topology(hdf5: try reopened.root.group("topology"))
    }

    func testBuiltMoleculesRoundTripExactly() throws {
        for system in [try BuiltInMolecules.decaAlanine(), try BuiltInMolecules.butane()] {
            let back = try roundTrip(system.topology)
            XCTAssertEqual(back, system.topology)
        }
    }

    func testCrossTermsExclusionsAndOddNamesRoundTrip() throws {
        var topology = try BuiltInMolecules.butane().topology
        topology.crossTerms = [CrossTerm(phi: Dihedral(0, 4, 7, 10), psi: Dihedral(4, 7, 10, 11))]
        topology.explicitExclusions = [Bond(0, 13)]
        topology.atoms[0].segment = ""
        topology.atoms[1].residueID = "12A"
        topology.atoms[2].charge = -0.123456789012345
        XCTAssertEqual(try roundTrip(topology), topology)
    }

    func testAGroupWithoutAtomsIsRefusedWithItsName() throws {
        let path = TestData.temporaryPath("not-topology.h5")
        let file = try HDF5File.create(path)
        try file.root.createGroup("topology").write("mass", [1.0], shape: [1])
        try file.close()
        let reopened = try HDF5File.open(path)
        defer { try? reopened.close() }
        XCTAssertThrowsError(try Topology(hdf5: try reopened.root.group("topology"))) { e in
            XCTAssertTrue("\(e)".contains("/topology: no 'segment' dataset"), "\(e)")
        }
    }
}
