// The reference interpreter and the date-time reader for the nested `Benchmarks` and
// `Fuzz` packages, which cannot use `package` access; not API.

@_spi(Benchmarks)
extension Rules {
  /// The reference interpreter's decision `name` for `profile` at `now` seconds
  /// since 1970-01-01T00:00:00Z, or `nil` when there is no decision `name`.
  public func interpretedDecision(
    _ name: String,
    for profile: JSONValue,
    now: Double,
    explain: Bool = false
  ) -> Decision? {
    interpreter.decide(name, for: profile, now: now, explain: explain)
  }

  /// The reference interpreter's decisions for `profile` at `now`, in document order.
  public func interpretedDecisions(
    for profile: JSONValue,
    now: Double,
    explain: Bool = false
  ) -> [Decision] {
    interpreter.decideAll(for: profile, now: now, explain: explain)
  }

  /// Seconds since 1970-01-01T00:00:00Z for an ISO-8601 date-time as rules
  /// documents and requests write it, or `nil`.
  public static func seconds(parsing text: String) -> Double? { DateTime.parse(text) }
}
