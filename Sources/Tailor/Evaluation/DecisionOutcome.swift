#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A decision of a loaded document, found once by name and then used by index.
///
/// An id belongs to the ``Rules`` it was taken from: used with an evaluator or the
/// lookups of other rules (say, an id cached before a reload) it stops the process
/// with a clear message rather than answering from another document's decisions.
public struct DecisionID: Hashable, Sendable {
  /// The decision's position in the document.
  public let index: Int
  /// The serial of the compiled rules it was taken from.
  let rules: UInt64
}

extension FlatRules {
  /// Stops the process when `decision` was taken from other rules.
  @inline(__always)
  func check(_ decision: DecisionID) {
    if decision.rules != serial {
      FlatRules.stop("the decision id was taken from other rules (ids do not carry over a reload)")
    }
  }

  /// Stops the process when `profile` was prepared for other rules, whose slots it holds.
  @inline(__always)
  func check(_ profile: PreparedProfile) {
    if profile.layout != ObjectIdentifier(self) {
      FlatRules.stop("the profile was prepared for other rules")
    }
  }

  /// Stops the process with `message`, in release builds as in debug (`precondition`
  /// stops a release build too, but without its message).
  @inline(never)
  static func stop(_ message: StaticString) -> Never {
    fatalError(message.description)
  }
}

/// A decision's answer as indices, without building strings: the allocation-free
/// counterpart of ``Decision``.
///
/// This is the answer for hot loops and servers that render their own output;
/// ``Rules/variantKey(_:_:)`` and ``Rules/ruleID(_:_:)`` turn indices back into
/// names. For a `mode: "all"` decision it describes the first match.
public struct DecisionOutcome: Hashable, Sendable {
  /// The served variant's index among the decision's variants, or `nil`.
  public var variant: Int?
  /// The winning rule's index among the decision's rules; `nil` for the default or nothing.
  public var rule: Int?
  /// Why.
  public var reason: Decision.Reason
  /// The bucket number for rollouts and splits.
  public var bucket: Double?
}

extension Evaluator {
  /// Decides one decision for a prepared profile and answers with indices.
  ///
  /// ```swift
  /// let hero = rules.decisionID(named: "homepage-hero")!
  /// let outcome = evaluator.outcome(of: hero, for: profile, at: Date())
  /// let key = outcome.variant.map { rules.variantKey(hero, $0) }
  /// ```
  ///
  /// To decide several decisions for one profile, ``withSession(for:at:_:)``
  /// shares the work between them.
  ///
  /// - Precondition: `decision` and `profile` come from the rules this evaluator
  ///   was made for (checked, in release builds too).
  /// - Complexity: as ``decide(_:for:at:)-(String,PreparedProfile,_)``, with no allocation.
  public func outcome(
    of decision: DecisionID,
    for profile: PreparedProfile,
    at now: Date
  ) -> DecisionOutcome {
    flat.check(profile)
    flat.check(decision)
    return DecisionOutcome(outcome(index: decision.index, for: profile, at: Rules.seconds(now)))
  }

  /// The outcome of a decision for a prepared profile's storage, which the
  /// caller keeps alive and unchanged: no reference is counted.
  ///
  /// With `continuing`, the predicates, prerequisites and strings worked out in
  /// this evaluator's previous call are reused.
  ///
  /// - Precondition: the storage belongs to a profile prepared for these rules
  ///   (``EvaluationScratch`` prepares its profile with its evaluator's rules),
  ///   and with `continuing` the previous call was for the same profile,
  ///   unchanged since, at the same instant (``EvaluationScratch`` tracks both).
  func outcome(
    of decision: DecisionID,
    storage: Unmanaged<PreparedProfile.Storage>,
    at now: Double,
    continuing: Bool
  ) -> DecisionOutcome {
    flat.check(decision)
    return DecisionOutcome(
      outcome(index: decision.index, storage: storage, at: now, generation: continuing)
    )
  }
}

extension Evaluator {
  /// Calls `body` with each match of a decision, in order — every admitted
  /// rule of a `mode: all` decision, or the one served otherwise — as variant
  /// index, rule index (`nil` for the default) and reason; builds no strings.
  ///
  /// The storage belongs to a profile prepared for these rules, which the
  /// caller keeps alive and unchanged; `continuing` as in ``outcome(of:storage:at:continuing:)``.
  func forEachMatch(
    of decision: DecisionID,
    storage: Unmanaged<PreparedProfile.Storage>,
    at now: Double,
    continuing: Bool,
    _ body: (_ variant: Int, _ rule: Int?, _ reason: Decision.Reason) -> Void
  ) {
    flat.check(decision)
    let hits = outcome(index: decision.index, storage: storage, at: now, generation: continuing)
    for hit in hits.list ?? [hits.single] where hit.variant >= 0 {
      body(Int(hit.variant), hit.rule >= 0 ? Int(hit.rule) : nil, hit.reason)
    }
  }
}

extension DecisionOutcome {
  /// The outcome of a decision's hits.
  init(_ hits: HitList) {
    let hit = hits.list?.first ?? hits.single
    self.init(
      variant: hit.variant >= 0 ? Int(hit.variant) : nil,
      rule: hit.rule >= 0 ? Int(hit.rule) : nil,
      reason: hit.variant >= 0 ? hit.reason : hits.emptyReason,
      bucket: hit.bucket.isNaN ? nil : hit.bucket
    )
  }
}

extension Evaluator {
  /// Decides one decision, by id, for a prepared profile.
  ///
  /// - Precondition: `decision` and `profile` come from the rules this evaluator
  ///   was made for (checked, in release builds too).
  /// - Complexity: as ``decide(_:for:at:)-(String,PreparedProfile,_)``.
  public func decide(
    _ decision: DecisionID,
    for profile: PreparedProfile,
    at now: Date
  ) -> Decision {
    flat.check(decision)
    return decide(index: decision.index, for: profile, at: Rules.seconds(now))
  }
}

extension Rules {
  /// The id of the decision at `index` in document order, or `nil`.
  public func decisionID(at index: Int) -> DecisionID? {
    index >= 0 && index < flat.info.count ? DecisionID(index: index, rules: flat.serial) : nil
  }

  /// The id of the decision `name`, or `nil`.
  public func decisionID(named name: String) -> DecisionID? {
    flat.index(ofDecision: name).map { DecisionID(index: $0, rules: flat.serial) }
  }

  /// The key of a decision's variant, by index.
  public func variantKey(_ decision: DecisionID, _ variant: Int) -> String {
    flat.check(decision)
    return flat.info[decision.index].variantKeys[variant]
  }

  /// The content of a decision's variant, by index.
  public func variantValue(_ decision: DecisionID, _ variant: Int) -> JSONValue {
    flat.check(decision)
    return flat.info[decision.index].variantValues[variant]
  }

  /// The id of a decision's rule, by index.
  public func ruleID(_ decision: DecisionID, _ rule: Int) -> String {
    flat.check(decision)
    return flat.info[decision.index].ruleIDs[rule]
  }
}

extension Evaluator {
  /// Calls `body` with the rule index of each match of a decision, in order.
  ///
  /// The matches are every admitted rule of a `mode: all` decision, or the one
  /// served otherwise; no strings are built. For GrowthBook payloads, whose
  /// compiled conditions are read as the set of rules that match.
  ///
  /// `continuing` as in ``outcome(of:for:at:continuing:)``: with it, the predicates
  /// this evaluator worked out in its previous call (for the same profile, at the
  /// same instant) are reused.
  package func forEachMatchedRule(
    of decision: DecisionID,
    for profile: PreparedProfile,
    at now: Double,
    continuing: Bool,
    _ body: (_ rule: Int) -> Void
  ) {
    flat.check(profile)
    flat.check(decision)
    let hits = outcome(index: decision.index, for: profile, at: now, generation: continuing)
    if let list = hits.list {
      for hit in list where hit.variant >= 0 && hit.rule >= 0 { body(Int(hit.rule)) }
    } else if hits.single.variant >= 0 && hits.single.rule >= 0 {
      body(Int(hits.single.rule))
    }
  }
}
