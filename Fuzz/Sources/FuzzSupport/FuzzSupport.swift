#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
@_spi(Benchmarks) import Tailor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// libFuzzer's entry point for programs that have their own `main`.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the process's arguments and `callback`, then exits.
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// The input as an array (libFuzzer may pass a null pointer for an empty input).
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  guard let data, size > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Traps with `message` when `condition` is false: libFuzzer records a crash.
public func require(
  _ condition: Bool,
  _ message: @autoclosure () -> String,
  file: StaticString = #file,
  line: UInt = #line
) {
  if !condition { fatalError(message(), file: file, line: line) }
}

/// A compact description of a decision for failure messages.
public func render(_ decision: Decision?) -> String {
  guard let decision else { return "nil" }
  let matches = decision.matches.map { match in
    "\(match.variant)/\(match.rule ?? "-")/\(match.reason.rawValue)/\(match.bucket.map { "\($0)" } ?? "-")"
  }
  return "\(decision.name): \(decision.reason.rawValue) [\(matches.joined(separator: ", "))]"
}

/// Instants (seconds since 1970) at which decisions are compared.
public let instants: [Double] = [1_780_000_000, 1_800_000_000]

/// Checks that the compiled evaluator, the pooled façade, the byte fast path
/// (when `profileBytes` is given) and the reference interpreter agree on every
/// decision of `rules` for `profile`. Traps on the first disagreement.
public func requireAgreement(_ rules: Rules, _ profile: Profile, profileBytes: [UInt8]? = nil) {
  let evaluator = rules.makeEvaluator()
  let prepared = profileBytes.flatMap { try? rules.prepare(json: $0) }
  if profileBytes != nil {
    require(prepared != nil, "the byte fast path rejected a profile that the reader accepts")
  }
  for now in instants {
    let interpreted = rules.interpretedDecisions(for: profile.root, now: now)
    let compiled = evaluator.decideAll(for: profile, at: Date(timeIntervalSince1970: now))
    require(
      compiled == interpreted,
      "compiled and interpreter disagree at \(now) for \(profile.root.jsonText):\n"
        + "  compiled:    \(compiled.map(render))\n  interpreter: \(interpreted.map(render))"
    )
    if let prepared {
      let fromBytes = evaluator.decideAll(for: prepared, at: Date(timeIntervalSince1970: now))
      require(
        fromBytes == interpreted,
        "byte fast path and interpreter disagree at \(now) for \(profile.root.jsonText):\n"
          + "  from bytes:  \(fromBytes.map(render))\n  interpreter: \(interpreted.map(render))"
      )
    }
    for name in rules.decisionNames {
      let one = evaluator.decide(name, for: profile, at: Date(timeIntervalSince1970: now))
      let interpretedOne = rules.interpretedDecision(name, for: profile.root, now: now)
      require(one == interpretedOne, "decide(\(name)) disagrees with the interpreter: \(render(one)) vs \(render(interpretedOne))")
    }
  }
}
