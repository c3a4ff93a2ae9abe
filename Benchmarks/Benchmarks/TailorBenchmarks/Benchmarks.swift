import Benchmark

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput],
    timeUnits: .nanoseconds,
    warmupIterations: 100,
    scalingFactor: .kilo,
    maxDuration: .seconds(2),
    maxIterations: 1_000_000
  )
  registerEvaluateBenchmarks()
  registerParseBenchmarks()
  registerLoadBenchmarks()
}
