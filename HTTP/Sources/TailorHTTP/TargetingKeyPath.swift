/// The attribute that an OFREP context's `targetingKey` becomes (`--targeting-key`),
/// as written and split into steps on `.`, as rules documents name attributes.
struct TargetingKeyPath: Sendable {
  /// The path as written, such as `id` or `user.id`.
  let text: String
  /// The steps, split on `.`.
  let components: [String]

  init(_ text: String) {
    self.text = text
    components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
  }
}
