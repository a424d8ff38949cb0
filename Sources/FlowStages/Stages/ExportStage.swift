import Foundation
import FlowCore
import FlowMD

extension TrajectoryFormat: ParameterEnum {}

/// `kind: export` — publishes a trajectory input as molecular files in `results/<workflow>/`:
/// a DCD with its PSF (VMD: `vmd smd.psf smd.dcd`; MDTraj: `md.load("smd.dcd", top="smd.psf")`),
/// a multi-model PDB or an XYZ — the stage form of `flow export`. The files are also stored in
/// the output under `/files`, so they are cached with it.
enum ExportStage: StageKind {
    static let name = "export"
    static let version = 1
    static let summary = "publish a trajectory as DCD + PSF, PDB or XYZ in results/<workflow>/ (VMD, PyMOL, MDTraj)"
    static let inputs = [InputSpec("trajectory", help: "a stage output with /x and /topology (simulate on a charmm system)")]
    static let outputs = [SharedDatasets.files.documented("<name>.<format>, the exported trajectory (a DCD also gets <name>.psf)")]

    struct Parameters: Decodable {
        var format: TrajectoryFormat
        var frames: String
        var replica: Int?
        var file: String?

        enum CodingKeys: String, CodingKey { case format, frames, replica, file }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            format = try p(.format, default: .dcd, help: "dcd (with a PSF next to it), pdb (one MODEL per frame) or xyz")
            frames = try p(.frames, default: ":", help: "frames to keep, as a Python slice: start:stop:step, or N (after replica)")
            replica = try p.optional(.replica, in: .atLeast(0), help: "keep only this replica's (walker's) frames")
            file = try p.optionalFileName(.file, help: "file name without extension (default: the stage name)")
            try p.check((try? FrameSelection(parsing: frames)) != nil, .frames, "'\(frames)' is not a frame range; write N, start:stop or start:stop:step")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        guard let path = context.inputPath("trajectory") else {
            throw FlowError.stageFailed(stage: context.stageName, message: "input 'trajectory' is not connected; add inputs: {trajectory: <stage>}")
        }
        let input = try context.input("trajectory")
        let hasTopology = input.root.isGroup("topology")
        try input.close()
        guard hasTopology else {
            throw FlowError.stageFailed(stage: context.stageName, message: "input 'trajectory' has no /topology group; export takes the output of simulate on a charmm system")
        }
        let directory = try context.makeTemporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written: [String]
        let export: TrajectoryExport
        do {
            export = try TrajectoryExport(artifact: path, replica: p.replica, frames: try FrameSelection(parsing: p.frames))
            written = try export.write(p.format, to: directory + "/" + (p.file ?? context.stageName) + "." + p.format.rawValue)
        } catch let e as MolecularInputError {
            throw FlowError.stageFailed(stage: context.stageName, message: "input 'trajectory': \(e.message)")
        }
        for file in written {
            try context.publish(file: (file as NSString).lastPathComponent, contents: try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        context.log("exported \(export.frames.count) frames of \(export.topology.atoms.count) atoms: "
                    + written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))
    }
}
