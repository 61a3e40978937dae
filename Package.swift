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

/// The door-knocking methods (敲门工作十八法) built so far: each is a target under `Plugins/<Name>`
/// depending on `KnockModuleKit` only, with its tests in `Tests/<Name>Tests`, linked into
/// `knock-host`. Its schema is `Protocol/modules/<id>.proto` (see scripts/generate-protos).
let methods: [String] = [
    "DailyKnock",
    "UrgentKnock",
    "NeighbourPairing",
    "Mediation",
    "Canteen",
    "AfterSchool",
]

/// Methods a method's tests load besides it, for stories that cross methods (a canteen delivery
/// by the elder's paired neighbour). The methods themselves never import each other.
let storyPartners: [String: [String]] = [
    "Canteen": ["NeighbourPairing"],
]

let package = Package(
    name: "Knock",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KnockWire", targets: ["KnockWire"]),
        .library(name: "KnockTLS", targets: ["KnockTLS"]),
        .library(name: "KnockRPC", targets: ["KnockRPC"]),
        .library(name: "KnockPKI", targets: ["KnockPKI"]),
        .library(name: "KnockMessages", targets: ["KnockMessages"]),
        .library(name: "KnockModuleKit", targets: ["KnockModuleKit"]),
        .library(name: "KnockHost", targets: ["KnockHost"]),
        .library(name: "KnockStore", targets: ["KnockStore"]),
        .library(name: "KnockDomain", targets: ["KnockDomain"]),
        .executable(name: "knock-host", targets: ["knock-host"]),
        .executable(name: "knock", targets: ["knock"]),
        .executable(name: "elder-watch", targets: ["elder-watch"]),
        .library(name: "KnockSupervisor", targets: ["KnockSupervisor"]),
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
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Process supervision (KnockSupervisor): spawning and reaping children.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2", traits: []),
        // Benchmarks only: latency percentiles.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // MARK: Storage: one SQL layer (SQLKit) over SQLite (embedded default) and PostgreSQL.
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
    ],
    targets: [
        // MARK: Benchmarks (release builds: swift run -c release knock-bench rpc)
        .executableTarget(
            name: "knock-bench",
            dependencies: [
                "KnockRPC",
                "KnockHost",
                "KnockDomain",
                "KnockStore",
                "KnockModuleKit",
                .product(name: "Logging", package: "swift-log"),
                "KnockTLS",
                "KnockPKI",
                "KnockTestSupport",
                "KnockBuiltIns",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "KnockAllocator",
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

        // MARK: The executables' allocator (mimalloc)
        // A system-library target cannot take Swift settings; it is a module map and a C header.
        .systemLibrary(
            name: "CMimalloc",
            providers: [.apt(["libmimalloc-dev"])]
        ),
        .target(
            name: "KnockAllocator",
            dependencies: ["CMimalloc"],
            swiftSettings: strictSwift
        ),

        // MARK: TLS (system OpenSSL)
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

        // MARK: Messages of the community core and the module contract (generated)
        .target(
            name: "KnockMessages",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/README.md"],
            swiftSettings: strictSwift
        ),

        // MARK: Module SDK (the only thing a method module depends on)
        .target(
            name: "KnockModuleKit",
            dependencies: [
                "KnockMessages",
                "KnockRPC",
                "KnockTLS",
                "KnockWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockModuleKitTests",
            dependencies: [
                "KnockModuleKit",
                "KnockTestSupport",
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Host
        .target(
            name: "KnockHost",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "KnockModuleKit",
                "KnockMessages",
                "KnockDomain",
                "KnockStore",
                "KnockSupervisor",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "KnockRPC",
                "KnockTLS",
                "KnockPKI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockHostTests",
            dependencies: [
                "KnockHost",
                "KnockModuleKit",
                "KnockPKI",
                "KnockDomain",
                "KnockStore",
                "KnockTestSupport",
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Executables
        .executableTarget(
            name: "knock-host",
            dependencies: [
                "KnockHost",
                "KnockDomain",
                "KnockPKI",
                "KnockStore",
                "KnockModuleKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "KnockBuiltIns",
                "KnockAllocator",
            ],
            swiftSettings: strictSwift
        ),
        // The methods knock-host links in, as one list.
        .target(
            name: "KnockBuiltIns",
            dependencies: ["KnockModuleKit"] + methods.map { .target(name: $0) },
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "knock",
            dependencies: [
                "KnockRPC",
                "KnockSchema",
                .product(name: "NIOCore", package: "swift-nio"),
                "KnockTLS",
                "KnockMessages",
                "KnockModuleKit",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),

        .testTarget(
            name: "KnockEndToEndTests",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                "KnockHost",
                "KnockSupervisor",
                "KnockTLS",
                "KnockModuleKit",
                "KnockPKI",
                "KnockDomain",
                "KnockStore",
                "KnockTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Examples
        // A module written outside the host, run as its own process (depends on KnockModuleKit only).
        .executableTarget(
            name: "elder-watch",
            dependencies: ["KnockModuleKit"],
            path: "Examples/elder-watch",
            exclude: ["README.md"],
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
                "KnockModuleKit",
                "KnockPKI",
                "KnockWire",
                "KnockDomain",
                "KnockTLS",
                "KnockHost",
                "KnockStore",
                .product(name: "Logging", package: "swift-log"),
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

        // MARK: Storage
        // MARK: Community core (model and rules, no I/O)
        .target(
            name: "KnockDomain",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockDomainTests",
            dependencies: ["KnockDomain"],
            swiftSettings: strictSwift
        ),

        .target(
            name: "KnockStore",
            dependencies: [
                "KnockDomain",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockStoreTests",
            dependencies: [
                "KnockStore",
                "KnockDomain",
                "KnockTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["CrashFixture"],
            swiftSettings: strictSwift
        ),
        // A second process for the durability test: writes records, acknowledging each on
        // stdout, until the test kills it.
        .executableTarget(
            name: "knock-store-crash-fixture",
            dependencies: ["KnockStore", "KnockDomain"],
            path: "Tests/KnockStoreTests/CrashFixture",
            swiftSettings: strictSwift
        ),

        // MARK: Process supervision
        .target(
            name: "KnockSupervisor",
            dependencies: [
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // A second process that runs a supervisor, for the orphan-protection test.
        .executableTarget(
            name: "knock-supervisor-fixture",
            dependencies: [
                "KnockSupervisor",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SupervisorFixture",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "KnockSupervisorTests",
            dependencies: [
                "KnockSupervisor",
                "knock-supervisor-fixture",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
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
                "KnockTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
    ]
)

// MARK: Methods (Plugins/)
package.targets += methods.map { name in
    .target(name: name, dependencies: ["KnockModuleKit"], path: "Plugins/\(name)", swiftSettings: strictSwift)
}
package.targets += methods.map { name in
    .testTarget(
        name: "\(name)Tests",
        dependencies: ([.target(name: name), "KnockTestSupport"] as [Target.Dependency]) + (storyPartners[name] ?? []).map { .target(name: $0) },
        swiftSettings: strictSwift
    )
}
