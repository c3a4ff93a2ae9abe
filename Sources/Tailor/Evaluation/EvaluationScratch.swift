/// A prepared profile and an evaluator for one document at a time, for a server
/// that reads profile after profile from request bytes and decides several
/// decisions for each.
///
/// The per-line path counts no references and makes no exclusivity checks, and
/// the decisions asked for one profile share the predicates, prerequisites and
/// strings the first of them worked out. Whether a call may continue the last
/// one is the scratch's own business: it holds the only reference to its
/// evaluator and its profile, and knows when either changed.
///
/// Not thread-safe: one thread at a time.
package final class EvaluationScratch {
  /// What the per-line path reads, in plain memory.
  private struct State {
    /// The evaluator and profile for the rules in use; the only references to them.
    var evaluator: Evaluator?
    var profile: PreparedProfile?
    /// The same two, unretained, for calls that count no references.
    ///
    /// Each is set with its owner above, and the profile's storage again after
    /// every read (which may give the profile new storage).
    var unretainedEvaluator: Unmanaged<Evaluator>?
    var storage: Unmanaged<PreparedProfile.Storage>?
    /// The serial of the rules in use (``FlatRules/serial``), 0 for none.
    var serial: UInt64 = 0
    /// Whether the evaluator's last call was for the profile as it is now, at ``now``.
    var isCurrent = false
    var now: Double = 0
  }

  private let state: UnsafeMutablePointer<State>

  /// A scratch for no rules yet; ``use(_:)`` gives it some.
  package init() {
    state = .allocate(capacity: 1)
    state.initialize(to: State())
  }

  deinit {
    state.deinitialize(count: 1)
    state.deallocate()
  }

  /// Takes a fresh evaluator and an empty profile for `rules`, unless it already has them.
  package func use(_ rules: Rules) {
    guard state.pointee.serial != rules.flat.serial else { return }
    let evaluator = rules.makeEvaluator()
    let profile = rules.emptyProfile()
    state.pointee = State(
      evaluator: evaluator,
      profile: profile,
      unretainedEvaluator: Unmanaged.passUnretained(evaluator),
      storage: profile.unmanagedStorage,
      serial: rules.flat.serial
    )
  }

  /// Reads the profile object that opens at `offset` of `text` into the
  /// scratch's profile, as ``Rules/prepare(json:objectAt:into:maxDepth:)``
  /// does; returns the offset just past its closing brace, or `nil` for
  /// invalid JSON (whose error the caller gets from the full reader).
  ///
  /// - Precondition: ``use(_:)`` gave the scratch rules, and `text[offset]` is `{`.
  package func prepare(
    json text: UnsafeBufferPointer<UInt8>,
    objectAt offset: Int,
    maxDepth: Int
  ) -> Int? {
    let state = self.state
    // Whatever happens below, the evaluator's memo no longer describes the profile.
    state.pointee.isCurrent = false
    guard let evaluator = state.pointee.unretainedEvaluator, state.pointee.profile != nil else {
      preconditionFailure("the scratch has no rules")
    }
    // The profile may take new storage (when its own is shared): keep the one it ends with.
    defer { state.pointee.storage = state.pointee.profile?.unmanagedStorage }
    return evaluator._withUnsafeGuaranteedRef { evaluator in
      do {
        // swift-format-ignore: NeverForceUnwrap
        // Checked by the guard above; unwrapped in place, so the storage stays unique.
        return try state.pointee.profile!.prepare(
          evaluator.flat,
          json: text,
          objectAt: offset,
          maxDepth: maxDepth
        )
      } catch {
        return nil
      }
    }
  }

  /// The outcome of `decision` for the last profile read, at `now`.
  ///
  /// - Precondition: `decision` belongs to the rules in use.
  @inline(__always)
  package func outcome(of decision: DecisionID, at now: Double) -> DecisionOutcome {
    let (evaluator, storage, continuing) = begin(at: now)
    return evaluator._withUnsafeGuaranteedRef {
      $0.outcome(of: decision, storage: storage, at: now, continuing: continuing)
    }
  }

  /// Calls `body` with each match of `decision` for the last profile read, at
  /// `now`, as ``Evaluator/forEachMatch(of:storage:at:continuing:_:)`` does.
  ///
  /// - Precondition: `decision` belongs to the rules in use.
  @inline(__always)
  package func forEachMatch(
    of decision: DecisionID,
    at now: Double,
    _ body: (_ variant: Int, _ rule: Int?, _ reason: Decision.Reason) -> Void
  ) {
    let (evaluator, storage, continuing) = begin(at: now)
    evaluator._withUnsafeGuaranteedRef {
      $0.forEachMatch(of: decision, storage: storage, at: now, continuing: continuing, body)
    }
  }

  /// The evaluator and storage of a call at `now`, and whether it continues the last call.
  @inline(__always)
  private func begin(
    at now: Double
  ) -> (Unmanaged<Evaluator>, Unmanaged<PreparedProfile.Storage>, Bool) {
    let state = self.state
    guard let evaluator = state.pointee.unretainedEvaluator, let storage = state.pointee.storage
    else { preconditionFailure("the scratch has no rules") }
    let continuing = state.pointee.isCurrent && state.pointee.now == now
    state.pointee.isCurrent = true
    state.pointee.now = now
    return (evaluator, storage, continuing)
  }
}
