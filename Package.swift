// swift-tools-version:6.0
// flow — a workflow runner for learning collective variables and reduced dynamics.
// Module layout and dependency direction: DESIGN.md §2.
//   flow → FlowStages → {FlowCore, FlowNN, FlowMD, FlowAnalysis} → {FlowLinalg, FlowHDF5} → C system libraries
import PackageDescription

let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "flow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flow", targets: ["flow"]),
        .library(name: "FlowStages", targets: ["FlowStages"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System libraries, found through pkg-config; `make bootstrap` installs the apt providers.
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CARPACK", path: "Sources/CARPACK", pkgConfig: "arpack",
                       providers: [.apt(["libarpack2-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        .target(name: "FlowHDF5", dependencies: ["CHDF5"], swiftSettings: v5),
        .target(name: "FlowLinalg", dependencies: ["CBLAS", "CLAPACKE", "CARPACK"], swiftSettings: v5),
        .target(name: "FlowCore",
                dependencies: ["FlowHDF5", "FlowLinalg", "CCrypto", .product(name: "Yams", package: "Yams")],
                swiftSettings: v5),
        .target(name: "FlowNN", dependencies: ["FlowLinalg", "FlowHDF5", "CBLAS"], swiftSettings: v5),
        .target(name: "FlowMD", dependencies: ["FlowLinalg", "FlowHDF5"], swiftSettings: v5),
        // Estimators in deeptime's shape (fit → model → save/load/extend): grid generators of
        // reversible diffusions, transition path theory, diffusion maps (TMDmap), δ-nets.
        .target(name: "FlowAnalysis", dependencies: ["FlowLinalg", "FlowHDF5"], swiftSettings: v5),
        .target(name: "FlowStages", dependencies: ["FlowCore", "FlowNN", "FlowMD", "FlowAnalysis", "FlowLinalg", "FlowHDF5"],
                swiftSettings: v5),
        .executableTarget(name: "sampling-bench", dependencies: ["FlowMD", "FlowLinalg"],
                          path: "Benchmarks/SamplingBench", exclude: ["numpy_reference.py"], swiftSettings: v5),
        // Runs before any library constructor: OpenBLAS starts no worker threads (startup.c).
        .target(name: "CFlowStartup", path: "Sources/CFlowStartup"),
        .executableTarget(name: "flow",
                          dependencies: ["FlowStages", "FlowCore", "FlowMD", "CFlowStartup",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: v5),

        .executableTarget(name: "flow-bench", path: "Benchmarks/EngineBench", swiftSettings: v5),
        .executableTarget(name: "tmdmap-bench", dependencies: ["FlowAnalysis", "FlowLinalg", "FlowMD"], path: "Benchmarks/TMDmapBenchmark",
                          exclude: ["pydiffmap_reference.py", "tuned_reference.py"], swiftSettings: v5),
        .executableTarget(name: "flow-nn-bench", dependencies: ["FlowNN", "FlowLinalg"], path: "Benchmarks/FlowNNBench",
                          exclude: ["torch_bench.py"], swiftSettings: v5),
        .executableTarget(name: "flow-md-bench", dependencies: ["FlowMD", "FlowLinalg"], path: "Benchmarks/FlowMDBench",
                          swiftSettings: v5),
        .executableTarget(name: "cv-bias-bench", dependencies: ["FlowStages", "FlowNN", "FlowMD", "FlowLinalg"],
                          path: "Benchmarks/CVBiasBench", exclude: ["torch_restraint.py"], swiftSettings: v5),

        .testTarget(name: "FlowHDF5Tests", dependencies: ["FlowHDF5"], swiftSettings: v5),
        .testTarget(name: "FlowLinalgTests", dependencies: ["FlowLinalg"], swiftSettings: v5),
        .testTarget(name: "FlowAnalysisTests", dependencies: ["FlowAnalysis", "FlowLinalg", "FlowHDF5"], swiftSettings: v5),
        .testTarget(name: "FlowCoreTests", dependencies: ["FlowCore", "FlowHDF5"], swiftSettings: v5),
        .testTarget(name: "FlowNNTests", dependencies: ["FlowNN", "FlowLinalg", "FlowHDF5"], swiftSettings: v5),
        .testTarget(name: "FlowMDTests", dependencies: ["FlowMD", "FlowLinalg", "FlowHDF5"], exclude: ["Reference"],
                    swiftSettings: v5),
        .testTarget(name: "FlowStagesTests", dependencies: ["FlowStages", "FlowCore", "FlowHDF5", "FlowMD", "FlowNN", "FlowAnalysis"],
                    exclude: ["Malformed", "Workflows", "BadInputs"], swiftSettings: v5),
    ]
)
