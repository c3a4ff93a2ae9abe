import Benchmark
import Tailor
import TailorServer
import TailorTestSupport

/// Request lines as `tailor serve` reads them: a realistic profile, one decision, a fixed instant.
struct ServeInput {
  let handler: RequestHandler
  let scratch: RequestScratch
  let lines: [[UInt8]]

  init(rules count: Int) throws {
    var workload = Workload(seed: 42)
    let document = workload.document(rules: count)
    try self.init(document: document, profiles: workload.profiles(1000, for: document))
  }

  /// Narrow campaign rules (``CampaignWorkload``) and profiles of their population.
  init(campaign count: Int) throws {
    var workload = CampaignWorkload(seed: 42)
    let document = workload.document(rules: count)
    try self.init(document: document, profiles: workload.profiles(1000, for: document))
  }

  init(document: JSONValue, profiles: [JSONValue]) throws {
    handler = RequestHandler(
      rules: ServedRules(try Rules(json: document.jsonText), file: nil),
      maxDepth: 64
    )
    scratch = RequestScratch()
    lines = profiles.enumerated().map { index, profile in
      Array(
        #"{"id":\#(index),"profile":\#(profile.jsonText),"decisions":["offers"],"now":"2026-07-01T00:00:00Z"}"#
          .utf8
      )
    }
    // A server thread's scratch is set up by its first line; measure the lines after.
    var output: [UInt8] = []
    for line in lines {
      _ = line.withUnsafeBufferPointer {
        handler.respond(to: $0, lineNumber: 1, into: &output, scratch: scratch)
      }
    }
  }
}

func registerServeBenchmarks() {
  let perSample = Benchmark.Configuration(scalingFactor: .kilo)

  // One request line in, one response line out, as the server's per-line path
  // does it (no I/O): the profile read into reused memory, the answer copied
  // from rendered fragments.
  registerServeBenchmark("request-1000-rules", configuration: perSample) {
    try ServeInput(rules: 1000)
  }
  // The same on narrow campaign rules.
  registerServeBenchmark("request-campaign-1000-rules", configuration: perSample) {
    try ServeInput(campaign: 1000)
  }
  registerServeBenchmark("request-campaign-10000-rules", configuration: perSample) {
    try ServeInput(campaign: 10_000)
  }
}

/// One `Serve:` benchmark: request lines answered as the server's per-line path does.
private func registerServeBenchmark(
  _ name: String,
  configuration: Benchmark.Configuration,
  _ makeInput: @escaping @Sendable () throws -> ServeInput
) {
  Benchmark("Serve:\(name)", configuration: configuration) {
    (benchmark: Benchmark, input: ServeInput) in
    var output: [UInt8] = []
    output.reserveCapacity(1 << 20)
    var index = 0
    for _ in benchmark.scaledIterations {
      output.removeAll(keepingCapacity: true)
      input.lines[index].withUnsafeBufferPointer { line in
        blackHole(
          input.handler.respond(
            to: line,
            lineNumber: index + 1,
            into: &output,
            scratch: input.scratch
          )
        )
      }
      index = index == input.lines.count - 1 ? 0 : index + 1
    }
    blackHole(output)
  } setup: {
    try makeInput()
  }
}
