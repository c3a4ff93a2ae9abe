import Synchronization
@_spi(Server) import Tailor
import TailorServer

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One loaded rules document as `tailor-http` serves it, with what the OFREP routes
/// derive from it once per load.
///
/// Immutable: a reload swaps one reference, so a request that took a snapshot
/// answers every flag from the same rules.
final class RulesSnapshot: Sendable {
  /// The rules, as `tailor serve` holds them.
  let served: ServedRules
  /// Counts loads: 1 for the first document, one more for every successful reload.
  let version: Int
  /// Seconds since the epoch at which the document was loaded.
  let loadedAt: Double
  /// Seconds the load took (read, compile, render).
  let loadSeconds: Double
  /// The decisions with a rollout or split that buckets on the targeting-key attribute:
  /// OFREP's `TARGETING_KEY_MISSING` applies to these only.
  let bucketsOnTargetingKey: Set<String>
  /// The answers to `POST /v1/decide`, built once per load.
  let handler: RequestHandler

  init(served: ServedRules, version: Int, loadSeconds: Double, targetingKey: String, maxDepth: Int)
  {
    self.served = served
    self.version = version
    self.loadedAt = Date().timeIntervalSince1970
    self.loadSeconds = loadSeconds
    self.bucketsOnTargetingKey = Set(served.rules.decisionsBucketing(on: targetingKey))
    self.handler = RequestHandler(rules: served, maxDepth: maxDepth)
  }
}

/// The rules being served and their reloads from the `--rules` file.
///
/// Reloads are serialised; a document that does not load leaves the served one in place.
final class RulesState: Sendable {
  /// Why a reload did not replace the rules.
  struct ReloadFailure: Error {
    /// The diagnostics, one per line, as `tailor check` prints them.
    var message: String
  }

  let path: String
  let targetingKey: String
  let maxDepth: Int
  private let current: Mutex<RulesSnapshot>
  /// Held while a reload reads and compiles, so two reloads never race; counts reloads.
  private let reloading = Mutex<Int>(0)

  /// Loads `path` once; throws when the first document does not load.
  static func load(
    path: String,
    targetingKey: String,
    maxDepth: Int
  ) throws(ReloadFailure)
    -> RulesState
  {
    let (served, seconds) = try load(path)
    let first = RulesSnapshot(
      served: served,
      version: 1,
      loadSeconds: seconds,
      targetingKey: targetingKey,
      maxDepth: maxDepth
    )
    return RulesState(path: path, targetingKey: targetingKey, maxDepth: maxDepth, first: first)
  }

  private init(path: String, targetingKey: String, maxDepth: Int, first: RulesSnapshot) {
    self.path = path
    self.targetingKey = targetingKey
    self.maxDepth = maxDepth
    current = Mutex(first)
  }

  /// The rules answering requests now.
  var snapshot: RulesSnapshot { current.withLock { $0 } }

  /// Reads `path` again; on success the new rules answer every later request.
  @discardableResult
  func reload() throws(ReloadFailure) -> RulesSnapshot {
    try reloading.withLock { (reloads: inout Int) throws(ReloadFailure) -> RulesSnapshot in
      reloads += 1
      let (served, seconds) = try Self.load(path)
      return current.withLock { snapshot in
        snapshot = RulesSnapshot(
          served: served,
          version: snapshot.version + 1,
          loadSeconds: seconds,
          targetingKey: targetingKey,
          maxDepth: maxDepth
        )
        return snapshot
      }
    }
  }

  private static func load(_ path: String) throws(ReloadFailure) -> (ServedRules, Double) {
    let began = ContinuousClock.now
    switch RequestHandler.load(.file(path)) {
    case .success(let served):
      let elapsed = ContinuousClock.now - began
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      return (served, seconds)
    case .failure(let error):
      let lines = error.diagnostics.prefix(20).map { $0.description }
      throw ReloadFailure(message: lines.joined(separator: "\n"))
    }
  }
}
