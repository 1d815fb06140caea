// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Preflight",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "preflight", targets: ["PreflightCLI"]),
        .library(name: "PreflightKit", targets: ["PreflightKit"]),
        .library(name: "ImageEngine", targets: ["ImageEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // C shims: the only code that touches libpng and libjpeg. They catch the
        // libraries' longjmp errors and hand back plain values.
        .target(
            name: "CPNGShim",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("deflate")]
        ),
        .target(
            name: "CJPEGShim",
            linkerSettings: [.linkedLibrary("jpeg")]
        ),
        // Everything Preflight knows about one image file.
        .target(name: "ImageEngine", dependencies: ["CPNGShim", "CJPEGShim"]),
        // A strict JSON reader and an ordered JSON writer for manifests and reports.
        .target(name: "PreflightJSON"),
        // Manifests, rules, the check engine and the reports.
        .target(
            name: "PreflightKit",
            dependencies: ["ImageEngine", "PreflightJSON", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "PreflightCLI",
            dependencies: [
                "PreflightKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers the test targets share.
        .target(name: "PreflightTestSupport", path: "Tests/Support"),
        .testTarget(name: "ImageEngineTests", dependencies: ["ImageEngine", "PreflightTestSupport"]),
        .testTarget(name: "PreflightJSONTests", dependencies: ["PreflightJSON"]),
        .testTarget(name: "PreflightKitTests", dependencies: ["PreflightKit", "PreflightTestSupport"]),
        // Runs the built `preflight` binary as a user would.
        .testTarget(name: "PreflightCLITests", dependencies: ["PreflightCLI", "PreflightJSON", "PreflightTestSupport"]),
    ]
)
