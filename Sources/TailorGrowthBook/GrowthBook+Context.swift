import Tailor

extension GrowthBook {
  /// Who is being evaluated, and the switches GrowthBook's SDK context holds.
  ///
  /// A context is built per request. With a sticky-bucket store it also keeps
  /// the assignment documents read and written while evaluating, so pass it
  /// `inout`.
  public struct Context: Sendable {
    /// The user's attributes: a JSON object.
    public var attributes: JSONValue
    /// Variation indices forced by experiment key.
    public var forcedVariations: [String: Int]
    /// Feature values forced by feature key (GrowthBook's `forcedFeatureValues`),
    /// reported with source ``FeatureSource/override``.
    public var forcedFeatures: [String: JSONValue]
    /// When false, no one is in any experiment (GrowthBook's `enabled`).
    public var isEnabled: Bool
    /// When true, experiments assign no one unless forced (GrowthBook's `qaMode`).
    public var isQAMode: Bool
    /// The request URL; a query string item `experiment-key=index` forces a variation.
    public var url: String?
    /// Where sticky-bucket assignments are kept; sticky bucketing is off when `nil`.
    public var stickyBucketStore: (any StickyBucketStore)?
    /// The assignment documents read from or written to the store, by
    /// ``StickyBucketDocument/storageKey``.
    public var stickyBucketDocuments: [String: StickyBucketDocument]
    /// The document keys already looked up in the store.
    var lookedUp: Set<String> = []

    /// Creates a context.
    public init(
      attributes: JSONValue,
      forcedVariations: [String: Int] = [:],
      forcedFeatures: [String: JSONValue] = [:],
      isEnabled: Bool = true,
      isQAMode: Bool = false,
      url: String? = nil,
      stickyBucketStore: (any StickyBucketStore)? = nil,
      stickyBucketDocuments: [String: StickyBucketDocument] = [:]
    ) {
      self.attributes = attributes
      self.forcedVariations = forcedVariations
      self.forcedFeatures = forcedFeatures
      self.isEnabled = isEnabled
      self.isQAMode = isQAMode
      self.url = url
      self.stickyBucketStore = stickyBucketStore
      self.stickyBucketDocuments = stickyBucketDocuments
    }
  }
}
