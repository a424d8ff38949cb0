import Foundation
import FlowHDF5

/// File formats `flow export` writes, each readable by VMD, PyMOL and MDTraj.
public enum TrajectoryFormat: String, CaseIterable, Codable, Sendable {
    /// Multi-model PDB (MODEL/ENDMDL), with segment, residue and element columns.
    case pdb
    /// CHARMM/NAMD binary DCD, with a PSF of the same name next to it for the topology.
    case dcd
    /// XYZ: element and coordinates per atom, one block per frame.
    case xyz
}

/// Frames of a trajectory artifact (a stage output with `/x`) together with the topology needed
/// to write them as molecular files: the artifact's own `/topology` group, or a PSF/PDB given
/// by the user. Errors are one line and say how to fix the input.
public struct TrajectoryExport {
    public var topology: Topology
    /// Selected frames, flat x1,y1,z1,… (Å).
    public var frames: [[Double]]
    /// Time step (ps) and steps between frames, when the artifact records them (DCD header).
    public var timeStep: Double?
    public var stepsPerFrame: Int?
    /// Time of each selected frame (ps), when the artifact has `/time`.
    public var times: [Double]?

    public init(topology: Topology, frames: [[Double]], timeStep: Double? = nil, stepsPerFrame: Int? = nil, times: [Double]? = nil) {
        self.topology = topology
        self.frames = frames
        self.timeStep = timeStep
        self.stepsPerFrame = stepsPerFrame
        self.times = times
    }

    /// Reads `/x` (and `/topology`, `/time`, `/replica` or `/walker`, and the `dt`/`stride` root
    /// attributes) from the artifact at `path`. `topologyFile` (`.psf` or `.pdb`) replaces a
    /// missing or different topology; `replica` keeps that replica's (walker's) frames first,
    /// then `frames` selects among them.
    public init(artifact path: String, topologyFile: String? = nil, replica: Int? = nil, frames selection: FrameSelection = .all) throws {
        func fail(_ message: String) -> MolecularInputError { MolecularInputError(source: path, line: nil, message) }
        guard FileManager.default.fileExists(atPath: path) else { throw fail("no such file") }
        guard HDF5File.isHDF5(path) else { throw fail("not an HDF5 file; export reads stage outputs (results/<workflow>/<stage>.h5)") }
        let file = try HDF5File.open(path, mode: .readOnly)
        defer { try? file.close() }
        let root = file.root
        guard root.contains("x"), !root.isGroup("x") else {
            throw fail("has no /x dataset of coordinates; export takes the output of a stage that writes frames (simulate, load)")
        }
        let topology: Topology
        if let topologyFile {
            topology = try Self.topology(from: topologyFile)
        } else if root.isGroup("topology") {
            topology = try Topology(hdf5: try root.group("topology"))
        } else {
            throw fail("has no /topology group; give the molecule with --topology FILE.psf (or .pdb)")
        }
        let (x, shape) = try root.read("x", as: Double.self)
        let width = 3 * topology.atoms.count
        guard shape.count == 2, shape[1] == width else {
            throw fail("/x has shape \(shape) but the topology has \(topology.atoms.count) atoms (\(width) coordinates per frame)")
        }
        var rows = Array(0..<shape[0])
        if let replica {
            guard let owner = ["replica", "walker"].first(where: { root.contains($0) }) else {
                throw fail("has no /replica or /walker dataset to select replica \(replica) from")
            }
            let ids = try root.read(owner, as: Int64.self).values
            rows = rows.filter { ids[$0] == Int64(replica) }
            guard !rows.isEmpty else { throw fail("has no frames of replica \(replica) (/\(owner) holds \(Set(ids).sorted().map(String.init).joined(separator: ", ")))") }
        }
        rows = selection.indices(count: rows.count).map { rows[$0] }
        guard !rows.isEmpty else { throw fail("the frame selection \(selection) keeps no frames of \(shape[0])") }
        let time = root.contains("time") ? try root.read("time", as: Double.self).values : nil
        let dt = try root.attribute("dt"), stride = try root.attribute("stride")
        self.init(topology: topology, frames: rows.map { Array(x[($0 * width)..<(($0 + 1) * width)]) },
                  timeStep: { if case .double(let v)? = dt { return v } else { return nil } }(),
                  stepsPerFrame: { if case .int(let v)? = stride { return Int(v) } else { return nil } }(),
                  times: time.map { t in rows.map { t[$0] } })
    }

    /// A topology from a PSF (complete) or a PDB (atoms only: names, residues, element masses, no
    /// charges or bonds — enough for coordinates files).
    public static func topology(from path: String) throws -> Topology {
        switch (path as NSString).pathExtension.lowercased() {
        case "psf": return try PSFReader.read(path: path)
        case "pdb":
            let pdb = try PDBFile.read(path: path)
            let atoms = pdb.records.map { r -> Atom in
                let element = r.element.isEmpty ? String(r.name.prefix { $0.isLetter }.prefix(1)) : r.element
                let mass = Atom.elementMasses.first { $0.symbol.uppercased() == element.uppercased() }?.mass ?? 0
                return Atom(segment: r.segment.isEmpty ? r.chain : r.segment, residueID: r.residueID, residueName: r.residueName,
                            name: r.name, type: element, charge: 0, mass: mass)
            }
            return Topology(atoms: atoms, bonds: [])
        default:
            throw MolecularInputError(source: path, line: nil, "a topology file is a .psf or a .pdb")
        }
    }

    /// Writes the frames to `path` in `format` and returns the files written (a DCD gets a PSF
    /// of the same name next to it).
    @discardableResult
    public func write(_ format: TrajectoryFormat, to path: String) throws -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard directory.isEmpty || (FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) else {
            throw MolecularInputError(source: path, line: nil, "the directory \(directory) does not exist; create it or choose another output path")
        }
        switch format {
        case .pdb:
            try PDBFile.write(topology, frames: frames, to: path)
            return [path]
        case .dcd:
            try DCDWriter.write(frames: frames, atomCount: topology.atoms.count, to: path, timeStep: timeStep ?? 0.001,
                                stepsPerFrame: stepsPerFrame ?? 1)
            let psf = (path as NSString).deletingPathExtension + ".psf"
            try PSFWriter.write(topology, to: psf)
            return [path, psf]
        case .xyz:
            try XYZFile.write(elements: topology.atoms.map(\.element), frames: frames, to: path,
                              comments: times.map { $0.map { "t = \($0) ps" } } ?? [])
            return [path]
        }
    }
}
