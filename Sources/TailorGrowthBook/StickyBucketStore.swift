import Synchronization
import Tailor

extension GrowthBook {
  /// Where sticky-bucket assignments live between requests: implement it over
  /// Redis, a database or a cookie.
  ///
  /// Evaluation reads a user's document the first time an experiment needs it
  /// and saves a document whenever an assignment is added or changed.
  public protocol StickyBucketStore: Sendable {
    /// The document for one attribute value, or `nil` when there is none.
    func document(attributeName: String, attributeValue: String) -> StickyBucketDocument?
    /// Stores a document, replacing the one with the same attribute name and value.
    func save(_ document: StickyBucketDocument)
  }

  /// The sticky-bucket assignments of one attribute value, such as `id` = `u123`.
  public struct StickyBucketDocument: Sendable, Hashable {
    /// The attribute's name.
    public var attributeName: String
    /// The attribute's value, as text.
    public var attributeValue: String
    /// Variation keys by `experimentKey__bucketVersion`.
    public var assignments: [String: String]

    /// Creates a document.
    public init(attributeName: String, attributeValue: String, assignments: [String: String]) {
      self.attributeName = attributeName
      self.attributeValue = attributeValue
      self.assignments = assignments
    }

    /// GrowthBook's key for a document: `attributeName||attributeValue`.
    public var storageKey: String { attributeName + "||" + attributeValue }

    /// A document in GrowthBook's JSON form (`{"attributeName","attributeValue",
    /// "assignments":{…}}`, every value a string); `nil` when it is not one.
    public init?(json: JSONValue) {
      guard case .object(let fields) = json, case .string(let name)? = fields["attributeName"],
        case .string(let value)? = fields["attributeValue"],
        case .object(let written)? = fields["assignments"]
      else { return nil }
      var assignments: [String: String] = [:]
      for (key, variation) in written.pairs {
        guard case .string(let text) = variation else { return nil }
        assignments[key] = text
      }
      self.init(attributeName: name, attributeValue: value, assignments: assignments)
    }

    /// GrowthBook's JSON form, with the assignments in key order.
    public var json: JSONValue {
      let written = assignments.sorted { $0.key < $1.key }.map {
        ($0.key, JSONValue.string($0.value))
      }
      return .object(
        JSONObject([
          ("assignments", .object(JSONObject(written))),
          ("attributeName", .string(attributeName)),
          ("attributeValue", .string(attributeValue)),
        ])
      )
    }
  }

  /// A sticky-bucket store in memory, safe to share between threads.
  public final class InMemoryStickyBucketStore: StickyBucketStore {
    private let documents = Mutex<[String: StickyBucketDocument]>([:])

    /// Creates a store holding `documents`.
    public init(_ documents: [StickyBucketDocument] = []) {
      for document in documents { save(document) }
    }

    /// The document for one attribute value.
    public func document(attributeName: String, attributeValue: String) -> StickyBucketDocument? {
      let key = attributeName + "||" + attributeValue
      return documents.withLock { $0[key] }
    }

    /// Stores a document.
    public func save(_ document: StickyBucketDocument) {
      documents.withLock { $0[document.storageKey] = document }
    }

    /// Every document, by ``StickyBucketDocument/storageKey``.
    public var allDocuments: [String: StickyBucketDocument] { documents.withLock { $0 } }
  }
}
