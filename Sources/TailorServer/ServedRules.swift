@_spi(Server) import Tailor
import TailorGrowthBook

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A loaded rules document as the server holds it: the rules, where they came
/// from and when, and the JSON fragments every answer repeats, rendered once.
///
/// Immutable, so a `load` swaps one reference atomically.
public final class ServedRules: Sendable {
  /// The compiled rules.
  public let rules: Rules
  /// The file the rules were read from; `nil` for inline `rules`.
  let file: String?
  /// Seconds since the epoch.
  let loadedAt: Double
  /// Per decision, in document order.
  let rendered: [RenderedDecision]
  /// The answers' constant text and the decision names, in plain memory.
  let fragments: Fragments
  /// How long reading, compiling and rendering took.
  package let times: LoadTimes
  /// The GrowthBook payload served instead of ``rules`` (`tailor serve --growthbook`);
  /// ``rules`` is then an empty document.
  package let growthbook: ServedPayload?

  /// Renders the fragments of `rules`, read from `file` (`nil` for inline rules) at `loadedAt`.
  public convenience init(
    _ rules: Rules,
    file: String?,
    loadedAt: Double = Date().timeIntervalSince1970
  ) {
    self.init(rules, file: file, loadedAt: loadedAt, times: LoadTimes())
  }

  /// Renders the fragments of `rules`, adding the time that takes to `times`.
  package init(_ rules: Rules, file: String?, loadedAt: Double, times: LoadTimes) {
    let began = MonotonicClock.nanoseconds()
    self.rules = rules
    self.growthbook = nil
    self.file = file
    self.loadedAt = loadedAt
    self.rendered = rules.document.decisions.map(RenderedDecision.init)
    fragments = Fragments(rules.document.decisions)
    var times = times
    times.render = LoadTimes.seconds(since: began)
    self.times = times
  }

  /// Serves a GrowthBook payload, read from `file` (`nil` for an inline payload) at `loadedAt`.
  package init(growthbook: ServedPayload, file: String?, loadedAt: Double, times: LoadTimes) {
    self.rules = ServedPayload.noRules
    self.growthbook = growthbook
    self.file = file
    self.loadedAt = loadedAt
    self.rendered = []
    fragments = Fragments([])
    self.times = times
  }

  /// What a load warns about: the document's analysis, or the payload's lint warnings.
  package var warnings: [Diagnostic] { growthbook?.warnings ?? rules.warnings }

  /// The document-order index of decision `name` (names compare by bytes).
  func index(of name: String) -> Int? {
    var bytes = name
    return bytes.withUTF8 { fragments.view.decision(named: $0) }
  }

  /// `decisions`, `rules`, `segments` and `groups` counts.
  var counts: JSONObject {
    if let growthbook {
      return JSONObject([
        ("features", .number(Double(growthbook.payload.featureKeys.count))),
        ("rules", .number(Double(growthbook.ruleCount))),
        ("savedGroups", .number(Double(growthbook.payload.savedGroups.count))),
      ])
    }
    let document = rules.document
    return JSONObject([
      ("decisions", .number(Double(document.decisions.count))),
      ("rules", .number(Double(rules.ruleCount))),
      ("segments", .number(Double(document.segments.count))),
      ("groups", .number(Double(document.groups.count))),
    ])
  }

  /// One line for logs: `rules.json: 3 decisions, 12 rules, 1 warning`.
  package var summary: String {
    if let growthbook {
      let size =
        "\(plural(growthbook.payload.featureKeys.count, "feature")), \(plural(growthbook.ruleCount, "rule"))"
      return "\(file ?? "inline payload"): \(size), \(plural(warnings.count, "warning"))"
    }
    return
      "\(file ?? "inline rules"): \(rules.sizeDescription), \(plural(rules.warnings.count, "warning"))"
  }
}

extension Rules {
  /// The number of rules across all decisions.
  package var ruleCount: Int { document.decisions.reduce(0) { $0 + $1.rules.count } }

  /// `3 decisions, 12 rules`.
  package var sizeDescription: String {
    "\(plural(document.decisions.count, "decision")), \(plural(ruleCount, "rule"))"
  }
}

/// How long the steps of one load took, in seconds.
package struct LoadTimes: Sendable {
  /// Reading the file.
  package var read = 0.0
  /// Parsing, checking and compiling the document.
  package var compile = 0.0
  /// Rendering the answers' constant text.
  package var render = 0.0

  package init(read: Double = 0, compile: Double = 0, render: Double = 0) {
    self.read = read
    self.compile = compile
    self.render = render
  }

  /// The whole load.
  package var total: Double { read + compile + render }

  /// `started in 31.2 ms (read 0.1 ms, check and compile 30.6 ms, render 0.5 ms)`.
  package var startedDescription: String {
    "started in \(LoadTimes.milliseconds(total)) (read \(LoadTimes.milliseconds(read)), "
      + "check and compile \(LoadTimes.milliseconds(compile)), "
      + "render \(LoadTimes.milliseconds(render)))"
  }

  /// Seconds since a reading of ``MonotonicClock``.
  static func seconds(since began: UInt64) -> Double {
    Double(MonotonicClock.nanoseconds() - began) / 1e9
  }

  /// `12.3 ms`.
  static func milliseconds(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10_000).rounded())
    return "\(tenths / 10).\(tenths % 10) ms"
  }
}

/// One decision's constant JSON: its `"name":` key and each variant's value.
struct RenderedDecision: Sendable {
  let name: String
  /// The text `"name":`.
  let key: [UInt8]
  /// Variant keys and their values as compact JSON text.
  let values: [(variant: String, json: [UInt8])]

  init(_ decision: DecisionDefinition) {
    name = decision.name
    var key: [UInt8] = []
    AnswerRenderer.writeKey(decision.name, into: &key)
    self.key = key
    // Keys are found with `==`; keys that are equal only up to Unicode
    // equivalence (é precomposed and decomposed) are left to the slow path.
    let keys = decision.variants.map(\.key)
    values = decision.variants.compactMap { variant in
      guard keys.filter({ $0 == variant.key }).count == 1 else { return nil }
      var json: [UInt8] = []
      variant.value.write(into: &json)
      return (variant.key, json)
    }
  }

  /// The value of `variant` as JSON text, when rendered.
  func value(of variant: String) -> [UInt8]? {
    values.first { $0.variant == variant }?.json
  }
}

/// `1 rule`, `2 rules`.
package func plural(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// A GrowthBook payload as the server holds it, with what its load warned about.
package final class ServedPayload: Sendable {
  /// The payload.
  package let payload: GrowthBook.Payload
  /// Lint warnings: what GrowthBook accepts but evaluates as false or never reaches.
  package let warnings: [Diagnostic]

  package init(payload: GrowthBook.Payload, warnings: [Diagnostic]) {
    self.payload = payload
    self.warnings = warnings
  }

  /// The number of rules across all features.
  package var ruleCount: Int { payload.features.values.reduce(0) { $0 + $1.rules.count } }

  /// The empty rules document a payload's ``ServedRules/rules`` holds.
  static let noRules: Rules = {
    do {
      return try Rules(json: #"{"tailor": 1}"#)
    } catch {
      fatalError("the empty rules document does not load: \(error)")
    }
  }()
}
