import Foundation
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// `kind: augment` — rigid-body data augmentation (DESIGN §6; Cava et al., "Towards conditional
/// generation of minimal action potential pathways for molecular dynamics": every steered-MD frame
/// randomly rotated and centred before the cGAN sees it). Each frame is centred — on its centre
/// of mass with the masses of the input's `/topology`, on its centroid, or not at all — and copied
/// `copies` times, each copy rotated by an independent rotation uniform on SO(3) (unit quaternion
/// from four normals, Shoemake 1992) or SO(2) for planar systems. Pairwise distances are kept
/// exactly up to rounding.
///
/// `/condition` is the frame's normalized time within its replica (`/replica`, else `/walker`,
/// else one replica): the k-th of F frames gets k/(F − 1), so real frames are conditioned on
/// t ∈ [0, 1] as generated ones are (the reference code conditioned real frames on the raw frame
/// index 0…1001 and fakes on [0, 1]; DESIGN §10).
enum AugmentStage: StageKind {
    static let name = "augment"
    static let version = 1
    static let summary = "random rigid rotations (uniform on SO(3)/SO(2)) and centring of frames, several copies per frame, with each frame's normalized time"
    static let system = SystemRequirement.optional
    static let inputs = [InputSpec("data", help: "frames in /x (simulate; charmm outputs bring /topology and /replica)")]
    enum Output {
        static let x = SharedDatasets.x.documented(shape: "frames·copies × D", "the rotated, centred copies (copy c of frame i in row i·copies + c)")
        static let sourceIndex = SharedDatasets.sourceIndex.documented(shape: "frames·copies", "row of the input each copy comes from")
        static let condition = OutputDataset.float64("/condition", "frames·copies", "normalized time of the source frame within its replica, k/(F − 1) ∈ [0, 1]")
        static let replica = OutputDataset.int64("/replica", "frames·copies", when: "the input has /replica or /walker", "replica (walker) of the source frame")
        static let topology = SharedDatasets.topology
    }
    static let outputs = [Output.x, Output.sourceIndex, Output.condition, Output.replica, Output.topology]

    struct Parameters: Decodable {
        var copies: Int
        var center: FrameAugmentation.Centering
        var dimension: Int?

        enum CodingKeys: String, CodingKey { case copies, center, dimension }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            copies = try p(.copies, default: 1, in: .atLeast(1), help: "rotated copies of every frame")
            center = try p(.center, default: .mass, help: "mass: centre of mass (the input's /topology masses); centroid: unweighted mean; none: keep the frame's position")
            dimension = try p.optional(.dimension, in: .closed(2, 3), help: "spatial dimension (default: 3 for molecules, else the system's); 2 rotates in the plane")
        }
    }

    static func run(_ p: Parameters, in context: StageContext) throws {
        let stage = context.stageName
        let input = try context.input("data")
        defer { try? input.close() }
        let x = try input.root.readMatrix(SharedDatasets.x)
        let topology = input.root.isGroup("topology") ? try Topology(hdf5: input.root.group("topology")) : nil
        let layout: ParticleLayout
        if let topology {
            guard p.dimension == nil || p.dimension == 3 else {
                throw FlowError.stageFailed(stage: stage, message: "params.dimension: the input is a molecule (it has /topology), which is 3-D; remove dimension")
            }
            layout = .atoms(topology.atoms.count)
        } else if let system = try context.system.map({ try SystemFactory.simulationSystem(for: $0, stage: stage) }), let l = system.layout {
            layout = l
            if let d = p.dimension, d != layout.spatialDimension {
                throw FlowError.stageFailed(stage: stage, message: "params.dimension: \(d), but the system '\(context.system!.name)' is \(layout.spatialDimension)-D; remove dimension")
            }
        } else if let d = p.dimension, x.cols % d == 0 {
            layout = ParticleLayout(particles: x.cols / d, spatialDimension: d, order: .interleaved)
        } else {
            throw FlowError.stageFailed(stage: stage, message: "the input has no /topology; set params.dimension (2 or 3, dividing its \(x.cols) columns) or give system:")
        }
        guard x.cols == layout.dimension else {
            throw FlowError.stageFailed(stage: stage, message: "input /x has \(x.cols) columns; \(layout.particles) particles in \(layout.spatialDimension)-D need \(layout.dimension)")
        }
        guard p.center != .mass || topology != nil else {
            throw FlowError.stageFailed(stage: stage, message: "params.center: mass needs the input's /topology (masses); use center: centroid")
        }
        let augmentation = FrameAugmentation(layout: layout, copies: p.copies, centering: p.center, masses: topology?.masses ?? [])
        let replicaName = ["replica", "walker"].first { input.root.contains($0) }
        let replica = try replicaName.map { try input.root.read($0, as: Int64.self).values } ?? [Int64](repeating: 0, count: x.rows)
        guard replica.count == x.rows else {
            throw FlowError.stageFailed(stage: stage, message: "input /\(replicaName!) has \(replica.count) rows; /x has \(x.rows)")
        }
        let time = FrameAugmentation.normalizedTime(replicaOf: replica)
        let rotated = augmentation.augment(x, random: RandomSource(seed: context.seed, stream: "augment"))
        func repeated<T>(_ v: [T]) -> [T] { v.flatMap { [T](repeating: $0, count: p.copies) } }
        let out = context.output.root
        try out.write(Output.x, matrix: rotated, units: topology == nil ? nil : "Å")
        try out.write(Output.sourceIndex, integers: repeated((0..<Int64(x.rows)).map { $0 }))
        try out.write(Output.condition, vector: repeated(time))
        if replicaName != nil { try out.write(Output.replica, integers: repeated(replica)) }
        if let topology { try topology.write(to: out.createGroup(Output.topology)) }
        context.log("\(x.rows) frames × \(p.copies) copies, \(layout.spatialDimension)-D, centred on \(p.center.rawValue)"
                    + (replicaName.map { ", \(Set(replica).count) \($0)s" } ?? ""))
    }
}
