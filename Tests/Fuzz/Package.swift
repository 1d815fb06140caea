// swift-tools-version:6.0
// libFuzzer targets for Preflight. A package of its own, so the main package stays as it
// is; `Tests/Fuzz/run.sh` builds it with the fuzzer and address sanitizers and runs each target.
import Foundation
import PackageDescription

// A path dependency's identity is the name of its folder, whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let preflight = root.lastPathComponent

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "FuzzSupport",
            .product(name: "PreflightKit", package: preflight),
            .product(name: "ImageEngine", package: preflight),
        ]
    )
}

let package = Package(
    name: "PreflightFuzz",
    dependencies: [.package(path: "../..")],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "PreflightKit", package: preflight),
                .product(name: "ImageEngine", package: preflight),
            ]
        ),
        fuzzTarget("FuzzPNG"),
        fuzzTarget("FuzzJPEG"),
        fuzzTarget("FuzzSniff"),
        fuzzTarget("FuzzManifestLine"),
    ]
)
