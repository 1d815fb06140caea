// swift-tools-version:6.0
import PackageDescription

// The S3 store brings an HTTP client (SwiftNIO, BoringSSL) that takes minutes to build.
// `PREFLIGHT_WITHOUT_S3=1` leaves it out, for builds that do not need it: the sanitizer runs,
// which instrument the C that reads untrusted images.
let withS3 = Context.environment["PREFLIGHT_WITHOUT_S3"] == nil

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
    ] + (withS3 ? [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ] : []),
    targets: [
        // C shims: the only code that touches libpng and libjpeg. They catch the
        // libraries' longjmp errors and hand back plain values.
        // Averaging rows down to a small picture: the PNG and JPEG thumbnails share it.
        .target(name: "CPixelAverager"),
        .target(
            name: "CPNGShim",
            dependencies: ["CPixelAverager"],
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("deflate")]
        ),
        .target(
            name: "CJPEGShim",
            dependencies: ["CPixelAverager"],
            linkerSettings: [.linkedLibrary("jpeg")]
        ),
        // Everything Preflight knows about one image file.
        .target(name: "ImageEngine", dependencies: ["CPixelAverager", "CPNGShim", "CJPEGShim"]),
        // A strict JSON reader and an ordered JSON writer for manifests and reports.
        .target(name: "PreflightJSON"),
        // Where bytes come from: one protocol for local files and object stores.
        .target(name: "PreflightStore"),
        // Manifests, rules, the check engine and the reports.
        .target(
            name: "PreflightKit",
            dependencies: ["ImageEngine", "PreflightJSON", "PreflightStore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "PreflightCLI",
            dependencies: [
                "PreflightStore",
                "PreflightKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers the test targets share.
        .target(name: "PreflightTestSupport", path: "Tests/Support"),
        .testTarget(name: "ImageEngineTests", dependencies: ["ImageEngine", "PreflightTestSupport"]),
        .testTarget(name: "PreflightJSONTests", dependencies: ["PreflightJSON", "PreflightTestSupport"]),
        .testTarget(name: "PreflightKitTests", dependencies: ["PreflightKit", "PreflightTestSupport"]),
        // Runs the built `preflight` binary as a user would.
        .testTarget(name: "PreflightCLITests", dependencies: ["PreflightCLI", "PreflightJSON", "PreflightTestSupport"]),
    ]
)

if withS3 {
    package.targets += [
        // The store on Amazon S3: SigV4 signing, the credentials chain, the HTTP client.
        .target(
            name: "PreflightS3",
            dependencies: [
                "PreflightStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Against moto's S3 server (.ci/s3-test-server) and botocore's signer; runs the built
        // `preflight` against it too.
        .testTarget(
            name: "PreflightS3Tests",
            dependencies: ["PreflightS3", "PreflightStore", "PreflightTestSupport", "PreflightCLI"],
            exclude: ["Scripts"]
        ),
    ]
    // The executable reaches S3 through PreflightS3; its code for that, under `#if PREFLIGHT_S3`,
    // is built only when the S3 targets are.
    if let cli = package.targets.first(where: { $0.name == "PreflightCLI" }) {
        cli.dependencies.append("PreflightS3")
        cli.swiftSettings = (cli.swiftSettings ?? []) + [.define("PREFLIGHT_S3")]
    }
}
