import Benchmark
import Tailor
import TailorTestSupport

func registerParseBenchmarks() {
  Benchmark("Parse:profile-450B-json-value") { (benchmark: Benchmark, lines: [[UInt8]]) in
    var index = 0
    for _ in benchmark.scaledIterations {
      blackHole(try? Profile(json: lines[index]))
      index = index == lines.count - 1 ? 0 : index + 1
    }
  } setup: {
    var workload = Workload(seed: 7)
    return (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) }
  }

  Benchmark("Parse:profile-450B-prepared-1000-rules") {
    (benchmark: Benchmark, input: (Rules, [[UInt8]])) in
    var index = 0
    for _ in benchmark.scaledIterations {
      blackHole(try? input.0.prepare(json: input.1[index]))
      index = index == input.1.count - 1 ? 0 : index + 1
    }
  } setup: {
    var workload = Workload(seed: 7)
    let rules = try Rules(json: workload.document(rules: 1000).jsonText)
    return (rules, (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) })
  }

  // The narrow-campaign workload's profiles (about 220 bytes, every attribute read by some rule).
  Benchmark("Parse:campaign-profile-220B-prepared-1000-rules") {
    (benchmark: Benchmark, input: (Rules, [[UInt8]])) in
    var index = 0
    for _ in benchmark.scaledIterations {
      blackHole(try? input.0.prepare(json: input.1[index]))
      index = index == input.1.count - 1 ? 0 : index + 1
    }
  } setup: {
    var workload = CampaignWorkload(seed: 7)
    let rules = try Rules(json: workload.document(rules: 1000).jsonText)
    return (rules, (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) })
  }
}
