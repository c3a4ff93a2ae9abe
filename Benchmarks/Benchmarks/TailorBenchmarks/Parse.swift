import Benchmark
import Tailor
import TailorTestSupport

func registerParseBenchmarks() {
  Benchmark("Parse:profile-450B") { (benchmark: Benchmark, lines: [[UInt8]]) in
    var index = 0
    for _ in benchmark.scaledIterations {
      blackHole(try? Profile(json: lines[index]))
      index = index == lines.count - 1 ? 0 : index + 1
    }
  } setup: {
    var workload = Workload(seed: 7)
    return (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) }
  }
}
