// swift-tools-version:6.0
import PackageDescription

// A package outside klpcheck that uses its engine, as any other package
// would: by version, from a Git URL (`run.sh` makes a tagged snapshot of this
// repository and passes its URL). SwiftPM refuses such a dependency when any
// of its targets carries unsafe flags, so this builds only while klpcheck's
// Package.swift has none; no unsafe flags here either.
guard let url = Context.environment["KLPCHECK_GIT_URL"] else {
    fatalError("run Tests/ConsumerPackage/run.sh, which sets KLPCHECK_GIT_URL")
}

let package = Package(
    name: "EngineConsumer",
    dependencies: [.package(url: url, exact: "1.0.0")],
    targets: [
        .executableTarget(name: "EngineConsumer", dependencies: [.product(name: "KLPEngine", package: "klpcheck")])
    ]
)
