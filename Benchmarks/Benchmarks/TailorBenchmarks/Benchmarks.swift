import Benchmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `TAILOR_BENCH_CI=1` selects the deterministic metrics that CI checks against
/// `Thresholds/`; without it, wall clock and throughput are measured too.
let isCI = getenv("TAILOR_BENCH_CI") != nil

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: isCI ? [.mallocCountTotal] : [.mallocCountTotal, .wallClock, .throughput],
    timeUnits: .nanoseconds,
    warmupIterations: 10,
    scalingFactor: .one,
    maxDuration: .seconds(isCI ? 1 : 3),
    maxIterations: isCI ? 10_000 : 5_000_000,
    thresholds: [.mallocCountTotal: .init(relative: [.p90: 0], absolute: [.p90: 1])]
  )
  registerEvaluateBenchmarks()
  registerParseBenchmarks()
  registerLoadBenchmarks()
  registerServeBenchmarks()
  registerGrowthBookBenchmarks()
}
