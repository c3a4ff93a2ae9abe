import Benchmark
import Tailor
import TailorTestSupport

func registerLoadBenchmarks() {
  for count in [1000, 100_000] {
    Benchmark(
      "Load:\(count)-rules",
      configuration: .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .peakMemoryResident],
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: count >= 100_000 ? 3 : 50
      )
    ) { (benchmark: Benchmark, bytes: [UInt8]) in
      for _ in benchmark.scaledIterations {
        blackHole(try? Rules(json: bytes))
      }
    } setup: {
      var workload = Workload(seed: 42)
      return Array(workload.document(rules: count).jsonText.utf8)
    }
  }
  // Narrow campaign rules: every rule has its own thresholds, dates and domains.
  for count in [1000, 10_000] {
    Benchmark(
      "Load:campaign-\(count)-rules",
      configuration: .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .peakMemoryResident],
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: count >= 10_000 ? 5 : 50
      )
    ) { (benchmark: Benchmark, bytes: [UInt8]) in
      for _ in benchmark.scaledIterations {
        blackHole(try? Rules(json: bytes))
      }
    } setup: {
      var workload = CampaignWorkload(seed: 42)
      return Array(workload.document(rules: count).jsonText.utf8)
    }
  }
}
