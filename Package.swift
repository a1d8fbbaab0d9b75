// swift-tools-version:6.0
import PackageDescription

/// The engine's generic search must be specialised for each model in the
/// client module: cross-module optimisation makes its bodies available there.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "klpcheck",
    products: [
        .executable(name: "klpcheck", targets: ["klpcheck"]),
        .library(name: "KLPEngine", targets: ["KLPEngine"]),
        .library(name: "Livepatch", targets: ["Livepatch"]),
    ],
    targets: [
        // Atomics on raw memory and process statistics: the only C in the project.
        .target(name: "CKLPSupport"),
        // The generic explorer: knows packed states and action indices, nothing of livepatch.
        .target(
            name: "KLPEngine",
            dependencies: ["CKLPSupport"],
            swiftSettings: engineSettings
        ),
        // The filter-lock benchmark model.
        .target(name: "FilterLock", dependencies: ["KLPEngine"], swiftSettings: engineSettings),
        // The livepatch world, its .klp language, the model, properties, log lines and scenarios.
        .target(name: "Livepatch", dependencies: ["KLPEngine"], swiftSettings: engineSettings),
        // `klpcheck import`: a tolerant reader of livepatch C sources and kpatch diffs, writing .klp.
        .target(name: "KLPImport", dependencies: ["Livepatch"]),
        // Commands and the small argument parser; the executable only calls into this.
        .target(name: "KLPCommandLine", dependencies: ["KLPEngine", "FilterLock", "Livepatch", "KLPImport"]),
        .executableTarget(name: "klpcheck", dependencies: ["KLPCommandLine"]),
        .testTarget(name: "KLPEngineTests", dependencies: ["KLPEngine", "FilterLock"]),
        .testTarget(name: "LivepatchTests", dependencies: ["Livepatch", "KLPEngine"]),
        .testTarget(name: "EndToEndTests", dependencies: ["KLPCommandLine", "KLPEngine"]),
        .testTarget(name: "KLPImportTests", dependencies: ["KLPImport", "Livepatch"]),
    ]
)
