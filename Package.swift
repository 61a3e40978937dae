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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
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
    ]
)
