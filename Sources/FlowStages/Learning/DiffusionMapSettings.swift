import FlowCore
import FlowAnalysis
import FlowLinalg

/// `epsilon:` of the diffusion-map stage (k_ε = exp(−d²/(4ερ_iρ_j))): `auto`, the k-th neighbour
/// at the kernel's reach; `kernel-sum`, where d log S(ε)/d log ε is largest (Berry & Harlim 2016;
/// capped at the reach, so the stored graph resolves the kernel); or a positive number.
enum EpsilonSetting: Decodable, Equatable, ParameterTypeDescribing {
    case automatic
    case kernelSum
    case value(Double)

    static var parameterTypeName: String { "'auto', 'kernel-sum' or a positive number" }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            guard v > 0 && v.isFinite else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "ε must be positive, got \(v)")
            }
            self = .value(v)
        } else if let text = try? c.decode(String.self) {
            switch text {
            case "auto": self = .automatic
            case "kernel-sum": self = .kernelSum
            default:
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected 'auto', 'kernel-sum' or a positive number, got '\(text)'")
            }
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected 'auto', 'kernel-sum' or a positive number")
        }
    }

    var bandwidth: DiffusionMap.Bandwidth {
        switch self {
        case .automatic: return .neighborReach
        case .kernelSum: return .kernelSum
        case .value(let v): return .fixed(v)
        }
    }
}

/// `solver:` of the diffusion-map stage: the sparse eigensolver and its settings (DESIGN §10).
struct DiffusionMapSolver: Decodable, Equatable {
    enum Method: String, ParameterEnum { case arpack, chebyshev }

    var method: Method
    var extraPairs: Int
    var ncv: Int
    var tolerance: Double
    var maxRestarts: Int

    enum CodingKeys: String, CodingKey {
        case method, ncv, tolerance
        case extraPairs = "extra_pairs"
        case maxRestarts = "max_restarts"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        method = try p(.method, default: .arpack, help: "arpack: implicitly restarted Lanczos (fewest products on these operators); chebyshev: Chebyshev-filtered block subspace iteration with the trivial mode deflated (Zhou & Saad 2007; Benchmarks/README.md compares them)")
        extraPairs = try p(.extraPairs, default: 16, in: .atLeast(0),
                           help: "eigenpairs ARPACK iterates on beyond components + 1 (near-degenerate slow modes converge with ~20 pairs)")
        ncv = try p(.ncv, default: 80, in: .atLeast(3), help: "Krylov subspace size (≈ 80 for ~20 pairs)")
        tolerance = try p(.tolerance, default: 1e-10, in: .positive, help: "relative accuracy of the Ritz values")
        maxRestarts = try p(.maxRestarts, default: 10_000, in: .atLeast(1), help: "ARPACK restart limit")
    }

    var eigensolver: DiffusionMap.SparseEigensolver {
        method == .arpack ? .arpack : .chebyshev(blockSize: nil, degree: 32, tolerance: nil)
    }

    var lanczos: LanczosEigensolver.Options {
        LanczosEigensolver.Options(ncv: ncv, tolerance: tolerance, maxIterations: maxRestarts)
    }
}

/// `subsample:` of the diffusion-map stage: the map on a δ-net of the samples (`DeltaNet`), as the
/// Cameron group's TMDmap codes do on trajectory data (Yuan, Sule, Lam & Cameron 2025), with the
/// target carried by the representatives (`DeltaNet.method(for:data:estimate:)`) and the
/// eigenvectors extended to every sample by Nyström.
struct DiffusionMapSubsample: Decodable, Equatable {
    enum Method: String, ParameterEnum {
        case none
        case deltaNet = "delta-net"
    }
    enum Target: String, ParameterEnum { case mass, density }

    var method: Method
    var delta: Double?
    var size: Int
    var target: Target

    enum CodingKeys: String, CodingKey { case method, delta, size, target }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        method = try p(.method, default: .none, help: "none: the map on every sample; delta-net: on a greedy δ-net (representatives ≥ δ apart, every sample within δ of one), eigenvectors extended to every sample (/frames)")
        delta = try p.optional(.delta, unit: "length", in: .positive, help: "δ of the net; default: chosen so the net has about size representatives (within 5 %)")
        size = try p(.size, default: 5000, in: .atLeast(3), help: "the net's target size when delta is not given")
        target = try p(.target, default: .mass,
                       help: "target: weights only — mass: π at a representative ∝ the net's kernel density × the reweighting mass of the samples it covers; density: the weighted kernel density of all samples at bandwidth 10δ")
    }

    var estimate: DeltaNet.TargetEstimate { target == .mass ? .coveredMass : .kernelDensity }
}
