#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Evaluator {
  /// Several decisions for one profile at one instant, sharing their work.
  ///
  /// A session lives only inside ``Evaluator/withSession(for:at:_:)``: it
  /// cannot be copied or kept, so the work it shares always describes its own
  /// profile and instant.
  public struct Session: ~Copyable {
    let evaluator: Evaluator
    let profile: PreparedProfile
    /// Seconds since 1970-01-01T00:00:00Z.
    let now: Double
    /// The evaluator's generation while this session is the last to have used it.
    let generation: UInt32

    /// Decides one decision and answers with indices, reusing what earlier
    /// calls in this session worked out.
    ///
    /// - Precondition: `decision` comes from the evaluator's rules (checked, in
    ///   release builds too).
    /// - Complexity: as ``Evaluator/outcome(of:for:at:)``, less the predicates
    ///   and prerequisites earlier calls in the session already evaluated.
    public func outcome(of decision: DecisionID) -> DecisionOutcome {
      evaluator.flat.check(decision)
      return DecisionOutcome(
        evaluator.outcome(index: decision.index, for: profile, at: now, generation: isCurrent)
      )
    }

    /// Decides one decision, reusing what earlier calls in this session worked out.
    ///
    /// - Precondition: `decision` comes from the evaluator's rules (checked, in
    ///   release builds too).
    public func decide(_ decision: DecisionID) -> Decision {
      evaluator.flat.check(decision)
      return evaluator.decide(index: decision.index, for: profile, at: now, continuing: isCurrent)
    }

    /// Decides one decision by name, or returns `nil` when there is no decision `name`.
    public func decide(_ name: String) -> Decision? {
      guard let index = evaluator.flat.index(ofDecision: name) else { return nil }
      return evaluator.decide(index: index, for: profile, at: now, continuing: isCurrent)
    }

    /// Whether the evaluator's memo still describes this session's profile and
    /// instant: nothing else used the evaluator since the session began (a call
    /// to the evaluator itself inside `body`, say, makes the next call start afresh).
    private var isCurrent: Bool { evaluator.generation == generation }
  }

  /// Runs `body` with a session that decides several decisions for `profile` at
  /// `now`, evaluating each predicate and prerequisite at most once across them.
  ///
  /// ```swift
  /// let answers = evaluator.withSession(for: profile, at: Date()) { session in
  ///   ids.map { session.outcome(of: $0) }
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - profile: a profile prepared for this evaluator's rules.
  ///   - now: the instant schedules (`active`) are evaluated at.
  ///   - body: the decisions to make; the session cannot outlive it.
  /// - Returns: what `body` returns.
  /// - Throws: what `body` throws.
  /// - Precondition: `profile` was prepared for this evaluator's rules (checked,
  ///   in release builds too).
  public func withSession<Result, Failure: Error>(
    for profile: PreparedProfile,
    at now: Date,
    _ body: (borrowing Session) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    flat.check(profile)
    let session = Session(
      evaluator: self,
      profile: profile,
      now: Rules.seconds(now),
      generation: nextGeneration()
    )
    return try body(session)
  }
}
