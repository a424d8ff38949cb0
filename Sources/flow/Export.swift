import ArgumentParser
import FlowCore
import FlowMD
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a trajectory artifact (a stage output with /x) as PDB, DCD (+ PSF) or XYZ for VMD, PyMOL, MDTraj.",
        discussion: """
        The topology comes from the artifact's /topology group (simulate on a charmm system writes one) or from \
        --topology FILE.psf|.pdb. A DCD gets a PSF of the same name next to it: vmd smd.psf smd.dcd.
        """)

    @Argument(help: "The artifact, e.g. results/deca-alanine/smd.h5.")
    var file: String

    @Option(name: .long, help: "pdb, dcd or xyz.")
    var format: String

    @Option(name: .long, help: "Topology (.psf or .pdb) when the artifact has no /topology.")
    var topology: String?

    @Option(name: .shortAndLong, help: "Output file (default: the artifact's path with the format's extension).")
    var output: String?

    @Option(name: .long, parsing: .unconditional, help: "Frames to keep, as a Python slice: start:stop:step, or N (-1: the last), after --replica.")
    var frames: String = ":"

    @Option(name: .long, help: "Keep only this replica's (walker's) frames.")
    var replica: Int?

    func run() throws {
        guard let format = TrajectoryFormat(rawValue: format.lowercased()) else {
            throw FlowError.usage("unknown format '\(format)'; use pdb, dcd or xyz")
        }
        let target = output ?? (file as NSString).deletingPathExtension + "." + format.rawValue
        do {
            let export = try TrajectoryExport(artifact: file, topologyFile: topology, replica: replica,
                                              frames: try FrameSelection(parsing: frames))
            let written = try export.write(format, to: target)
            print("wrote \(written.joined(separator: " and ")): \(export.frames.count) frame\(export.frames.count == 1 ? "" : "s") of \(export.topology.atoms.count) atoms")
        } catch let e as MolecularInputError {
            throw FlowError.usage(e.description)
        }
    }
}
