import ArgumentParser

/// Benchmarks of Knock, run as release builds: `swift run -c release knock-bench rpc`.
@main
struct KnockBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knock-bench",
        abstract: "Measure Knock's speed (build with -c release).",
        subcommands: [RPCBenchmark.self, IngestBenchmark.self]
    )
}
