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
  /// - Precondition: `decision` and `profile` come from this evaluator's rules
  ///   (checked, in release builds too); `decision` is not `mode: "all"` (whose
  ///   first match this is too, but after collecting every match).
  @inline(__always)
  package func firstMatchedRule(
    of decision: DecisionID,
    for profile: PreparedProfile,
    at now: Double,
    continuing: Bool
  ) -> Int {
    flat.check(profile)
    flat.check(decision)
    let hits = outcome(index: decision.index, for: profile, at: now, generation: continuing)
    let hit = hits.list?.first ?? hits.single
    return hit.variant >= 0 && hit.rule >= 0 ? Int(hit.rule) : -1
  }
}
