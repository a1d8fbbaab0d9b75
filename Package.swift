// swift-tools-version:6.0
import PackageDescription

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
        // Its search path is @inlinable, so each client specialises it for its own model.
        .target(name: "KLPEngine", dependencies: ["CKLPSupport"]),
        // The filter-lock benchmark model.
        .target(name: "FilterLock", dependencies: ["KLPEngine"]),
        // The livepatch world, its .klp language, the model, properties, log lines and scenarios.
        .target(name: "Livepatch", dependencies: ["KLPEngine"]),
        // `klpcheck import`: a tolerant reader of livepatch C sources and kpatch diffs, writing .klp.
        .target(name: "KLPImport", dependencies: ["Livepatch"]),
        // Commands and the small argument parser; the executable only calls into this.
        .target(name: "KLPCommandLine", dependencies: ["KLPEngine", "FilterLock", "Livepatch", "KLPImport"]),
        .executableTarget(name: "klpcheck", dependencies: ["KLPCommandLine"]),
        // Helpers the test targets share (a seeded generator, the tool launcher, the bundled
        // models, the gate's text output): not engine API.
        .target(name: "KLPTestSupport", dependencies: ["KLPEngine"], path: "Tests/KLPTestSupport"),
        .testTarget(name: "KLPEngineTests", dependencies: ["KLPEngine", "FilterLock", "KLPTestSupport"]),
        .testTarget(name: "LivepatchTests", dependencies: ["Livepatch", "KLPEngine", "KLPTestSupport"]),
        // The built executable, run as a user runs it: no library module, so
        // that these compile beside the Livepatch module rather than after it.
        .testTarget(name: "EndToEndTests", dependencies: ["KLPTestSupport"]),
        // The command-line library and the library verdict, called in process.
        .testTarget(name: "CommandLineTests", dependencies: ["KLPCommandLine", "KLPEngine", "Livepatch", "KLPTestSupport"]),
        .testTarget(name: "KLPImportTests", dependencies: ["KLPImport", "Livepatch"]),
    ]
)
