// swift-tools-version:6.0
import PackageDescription

/// leasesim: a deterministic discrete-event simulator of software-license fleets.
///
/// Layers, dependencies pointing one way:
/// `leasesim` (executable) -> `LeaseCLI` -> `LeaseScenario` -> `LeaseModel` -> `LeaseKernel`;
/// `CLeaseSystem` gives `LeaseScenario` the one system call Swift's Glibc module lacks (an atomic exchange of paths).
let package = Package(
    name: "leasesim",
    products: [
        .executable(name: "leasesim", targets: ["leasesim"]),
        .library(name: "LeaseKernel", targets: ["LeaseKernel"]),
        .library(name: "LeaseModel", targets: ["LeaseModel"]),
        .library(name: "LeaseScenario", targets: ["LeaseScenario"]),
    ],
    targets: [
        // Optimized in debug builds too (the debug assertions stay): the tests run every model event through
        // generic entity tables, which unoptimized code does not specialise (tests took three times as long).
        .target(name: "LeaseKernel", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "LeaseModel", dependencies: ["LeaseKernel"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "CLeaseSystem"),
        .target(name: "LeaseScenario", dependencies: ["LeaseModel", "LeaseKernel", "CLeaseSystem"]),
        .target(name: "LeaseCLI", dependencies: ["LeaseScenario", "LeaseModel", "LeaseKernel"]),
        .executableTarget(name: "leasesim", dependencies: ["LeaseCLI"]),
        .target(name: "FleetBenchmark", dependencies: ["LeaseScenario", "LeaseModel", "LeaseKernel"], path: "Benchmarks/Sources/FleetBenchmark"),
        .executableTarget(name: "leasesim-bench", dependencies: ["FleetBenchmark", "LeaseScenario", "LeaseModel", "LeaseKernel"],
                          path: "Benchmarks/Sources/leasesim-bench"),
        .testTarget(name: "FleetBenchmarkTests", dependencies: ["FleetBenchmark", "LeaseScenario"], path: "Benchmarks/Tests/FleetBenchmarkTests"),
        .testTarget(name: "LeaseKernelTests", dependencies: ["LeaseKernel"]),
        .testTarget(name: "LeaseModelTests", dependencies: ["LeaseModel", "LeaseKernel"]),
        .testTarget(name: "LeaseScenarioTests", dependencies: ["LeaseScenario", "LeaseModel", "LeaseKernel"]),
        .testTarget(name: "LeaseCLITests", dependencies: ["LeaseCLI", "LeaseScenario", "leasesim", "leasesim-bench"]),
    ],
    swiftLanguageModes: [.v6]
)

// The fuzz target exists only for Tests/Fuzz/fuzz.sh (LEASESIM_FUZZ=1; built with -sanitize=fuzzer,address).
if Context.environment["LEASESIM_FUZZ"] != nil {
    package.targets += [
        .target(name: "CFuzzDriver", path: "Tests/Fuzz/Sources/CFuzzDriver"),
        .executableTarget(name: "leasesim-fuzz", dependencies: ["CFuzzDriver", "LeaseScenario", "LeaseModel", "LeaseKernel"],
                          path: "Tests/Fuzz/Sources/leasesim-fuzz", swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
}
