extension Evaluator {
  /// The index of the rule a first-match decision serves for a prepared profile,
  /// or -1 when none does (the default, or nothing); builds no strings and counts
  /// no references.
  ///
  /// For GrowthBook payloads, whose feature rules are found first-match style
  /// (``Rules`` decisions whose rules each carry one feature rule's condition).
  /// `continuing` as in ``outcome(of:for:at:continuing:)``: the caller vouches
  /// that this evaluator's previous call was for the same profile, unchanged, at
  /// the same instant, so its predicates are reused.
  ///
  /// - Precondition: `decision` comes from this evaluator's rules (checked, in
  ///   release builds too), and `storage` is that of a profile prepared for them,
  ///   which the caller keeps alive and unchanged.
  @inline(__always)
  package func firstMatchedRule(
    of decision: DecisionID,
    storage: Unmanaged<PreparedProfile.Storage>,
    at now: Double,
    continuing: Bool
  ) -> Int {
    flat.check(decision)
    let hits = outcome(index: decision.index, storage: storage, at: now, generation: continuing)
    let hit = hits.list?.first ?? hits.single
    return hit.variant >= 0 && hit.rule >= 0 ? Int(hit.rule) : -1
  }
}

extension PreparedProfile {
  /// The storage, unretained: for a caller that keeps the profile alive and
  /// unchanged while it is used (``Evaluator/firstMatchedRule(of:storage:at:continuing:)``).
  package var unretainedStorage: Unmanaged<Storage> { unmanagedStorage }
}
