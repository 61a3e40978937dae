// swift-tools-version: 6.2
//
// Knock: a framework and host for community door-knocking work (天天敲门组).
// Targets point one way, top to bottom; see ../shared/DESIGN.md and README.md.

import PackageDescription

/// Settings every Knock target shares: Swift 6 language mode (strict concurrency) and the
/// upcoming features that make APIs explicit.
let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Knock",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KnockWire", targets: ["KnockWire"]),
        .library(name: "KnockTLS", targets: ["KnockTLS"]),
        .library(name: "KnockRPC", targets: ["KnockRPC"]),
        .library(name: "KnockPKI", targets: ["KnockPKI"]),
        .library(name: "KnockSchema", targets: ["KnockSchema"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // The deployment's certificate authority (KnockPKI).
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Benchmarks only: latency percentiles.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // MARK: Benchmarks (release builds: swift run -c release knock-bench rpc)
        .executableTarget(
            name: "knock-bench",
            dependencies: [
                "KnockRPC",
                "KnockTLS",
                "KnockPKI",
                "KnockTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/KnockBench",
            swiftSettings: strictSwift
        ),

        // MARK: Wire protocol
        .target(
            name: "KnockWire",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/README.md"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockWireTests",
            dependencies: [
                "KnockWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: TLS (system OpenSSL)
        // A system-library target cannot take Swift settings; it is a module map and a C header.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "KnockTLS",
            dependencies: [
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockTLSTests",
            dependencies: [
                "KnockTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Certificates (the host is its deployment's CA)
        .target(
            name: "KnockPKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: RPC runtime
        .target(
            name: "KnockRPC",
            dependencies: [
                "KnockWire",
                "KnockTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "KnockTestSupport",
            dependencies: [
                "KnockRPC",
                "KnockPKI",
                "KnockWire",
                "KnockTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/KnockTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockRPCTests",
            dependencies: [
                "KnockRPC",
                "KnockTestSupport",
                "KnockWire",
                "KnockTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Schemas (descriptor-driven protobuf <-> JSON, for calling methods the CLI has never seen)
        .target(
            name: "KnockSchema",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockSchemaTests",
            dependencies: [
                "KnockSchema",
                "KnockWire",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
    ]
)
