#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Tailor

/// What one thread keeps between decision requests: a prepared profile and an
/// evaluator for the rules being served, so a request allocates nothing of its own.
public final class RequestScratch {
  private var served: ServedRules?
  /// The prepared profile and the requested decisions live in plain memory,
  /// so the per-line path makes no exclusivity checks on class properties.
  let profile: UnsafeMutablePointer<PreparedProfile?>
  private(set) var evaluator: Evaluator?
  /// The requested decisions of the current line, by document index (`selectedCount` of them).
  private(set) var selected: UnsafeMutablePointer<Int>
  let selectedCount: UnsafeMutablePointer<Int>
  private var selectedCapacity = 0
  /// The instant, in seconds since the epoch, for requests without `now`: the
  /// server reads the clock once per block of input it answers; `nil` reads it per request.
  public var blockTime: Double?

  public init() {
    profile = .allocate(capacity: 1)
    profile.initialize(to: nil)
    selected = .allocate(capacity: 1)
    selectedCount = .allocate(capacity: 1)
    selectedCount.initialize(to: 0)
  }

  deinit {
    profile.deinitialize(count: 1)
    profile.deallocate()
    selected.deallocate()
    selectedCount.deallocate()
  }

  /// Points the scratch at `rules`, replacing what belonged to earlier rules.
  @inline(__always)
  func use(_ rules: ServedRules) {
    if served !== rules {
      served = rules
      profile.pointee = rules.rules.emptyProfile()
      evaluator = rules.rules.makeEvaluator()
      // A request names each decision at most once.
      let decisions = max(rules.rendered.count, 1)
      if decisions > selectedCapacity {
        selected.deallocate()
        selected = .allocate(capacity: decisions)
        selectedCapacity = decisions
      }
    }
  }
}

extension RequestHandler {
  /// Answers the common request in one pass over the line: an object with
  /// `profile` (an object), and optionally `id` (an integer or a plain string),
  /// `decisions` (plain names of known decisions), `now` (a plain string) and
  /// `"explain": false`, each once.
  ///
  /// The profile is read into the scratch's prepared profile while the line is
  /// scanned, and answers are copied from fragments rendered when the rules
  /// were loaded. Anything else (ops, errors, explain, escapes, repeated
  /// fields, unknown decisions) returns `false` with nothing written, and the
  /// full path answers it; tests hold both paths to the same output.
  func respondFast(to line: UnsafeBufferPointer<UInt8>, scratch: RequestScratch, into output: inout [UInt8]) -> Bool {
    guard let base = line.baseAddress else { return false }
    let count = line.count
    scratch.use(rules)
    let selected = scratch.selected
    let selectedCount = scratch.selectedCount
    selectedCount.pointee = 0
    let profile = scratch.profile
    let fragments = rules.fragments.view
    var id: Range<Int>?
    var profileRead = false
    var decisionsRead = false
    var explainRead = false
    var now: Double?

    @inline(__always)
    func skipSpace(_ position: Int) -> Int {
      var position = position
      while position < count {
        let byte = base[position]
        guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
        position += 1
      }
      return position
    }
    /// The offset of the closing quote of a string of printable ASCII without escapes.
    @inline(__always)
    func plainStringEnd(_ quote: Int) -> Int? {
      var position = quote + 1
      while position < count {
        let byte = base[position]
        if byte == UInt8(ascii: "\"") { return position }
        guard byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") else { return nil }
        position += 1
      }
      return nil
    }

    var position = skipSpace(0)
    guard position < count, base[position] == UInt8(ascii: "{") else { return false }
    position = skipSpace(position + 1)
    while true {
      guard position < count, base[position] == UInt8(ascii: "\""), let keyEnd = plainStringEnd(position) else {
        return false
      }
      let field = RequestScanner.knownField(UnsafeBufferPointer(start: base + position + 1, count: keyEnd - position - 1))
      position = skipSpace(keyEnd + 1)
      guard position < count, base[position] == UInt8(ascii: ":") else { return false }
      position = skipSpace(position + 1)
      guard position < count else { return false }
      switch field {
      case .id?:
        guard id == nil, let end = plainIDEnd(base, position, count) else { return false }
        id = position..<end
        position = end
      case .profile?:
        guard !profileRead, base[position] == UInt8(ascii: "{"), profile.pointee != nil else { return false }
        profileRead = true
        do {
          // The request object is depth 1, so the profile may nest one level less.
          position = try rules.rules.prepare(json: line, objectAt: position, into: &profile.pointee!, maxDepth: maxDepth - 1)
        } catch {
          return false
        }
      case .decisions?:
        guard !decisionsRead, base[position] == UInt8(ascii: "[") else { return false }
        decisionsRead = true
        position = skipSpace(position + 1)
        if position < count && base[position] == UInt8(ascii: "]") {
          position += 1
          break
        }
        while true {
          guard position < count, base[position] == UInt8(ascii: "\""), let end = plainStringEnd(position),
            let index = fragments.decision(named: UnsafeBufferPointer(start: base + position + 1, count: end - position - 1))
          else { return false }
          let chosen = UnsafeBufferPointer(start: selected, count: selectedCount.pointee)
          if !chosen.contains(index) {
            selected[selectedCount.pointee] = index
            selectedCount.pointee += 1
          }
          position = skipSpace(end + 1)
          guard position < count else { return false }
          if base[position] == UInt8(ascii: "]") {
            position += 1
            break
          }
          guard base[position] == UInt8(ascii: ",") else { return false }
          position = skipSpace(position + 1)
        }
      case .now?:
        guard now == nil, base[position] == UInt8(ascii: "\""), let end = plainStringEnd(position) else { return false }
        let text = String(decoding: UnsafeBufferPointer(start: base + position + 1, count: end - position - 1), as: UTF8.self)
        guard let seconds = DateTime.parse(text) else { return false }
        now = seconds
        position = end + 1
      case .explain?:
        // `true` needs the interpreter's trace: the full path.
        guard !explainRead, count - position >= 5, base[position] == UInt8(ascii: "f"), base[position + 1] == UInt8(ascii: "a"),
          base[position + 2] == UInt8(ascii: "l"), base[position + 3] == UInt8(ascii: "s"),
          base[position + 4] == UInt8(ascii: "e")
        else { return false }
        explainRead = true
        position += 5
      default:
        return false
      }
      position = skipSpace(position)
      guard position < count else { return false }
      if base[position] == UInt8(ascii: "}") {
        position += 1
        break
      }
      guard base[position] == UInt8(ascii: ",") else { return false }
      position = skipSpace(position + 1)
    }
    guard profileRead, skipSpace(position) == count, let evaluator = scratch.evaluator else { return false }

    let seconds = now ?? scratch.blockTime ?? Date().timeIntervalSince1970
    output.appendASCII("{\"id\":")
    if let id {
      output.append(contentsOf: UnsafeBufferPointer(rebasing: line[id]))
    } else {
      output.appendASCII("null")
    }
    output.appendASCII(",\"decisions\":{")
    guard let profile = profile.pointee else { return false }
    // The decisions asked for, or else every decision in document order.
    let answered = decisionsRead ? selectedCount.pointee : rules.rendered.count
    for position in 0..<answered {
      if position > 0 { output.append(UInt8(ascii: ",")) }
      let index = decisionsRead ? selected[position] : position
      writeDecision(index, evaluator, profile, seconds, fragments, continuing: position > 0, into: &output)
    }
    output.appendASCII("}}\n")
    return true
  }

  /// `"name":{…}` for one decision, from the fragments rendered at load.
  @inline(__always)
  private func writeDecision(
    _ index: Int,
    _ evaluator: Evaluator,
    _ profile: PreparedProfile,
    _ now: Double,
    _ fragments: Fragments.View,
    continuing: Bool,
    into output: inout [UInt8]
  ) {
    guard let id = rules.rules.decisionID(at: index) else { return }
    fragments.append(fragments.keys[index], to: &output)
    if fragments.isMultiple[index] {
      let rendered = rules.rendered[index]
      evaluator.decide(id, for: profile, at: now, continuing: continuing).write(into: &output) {
        rendered.value(of: $0.variant)
      }
      return
    }
    // Later decisions of the request reuse what earlier ones worked out.
    let outcome = evaluator.outcome(of: id, for: profile, at: now, continuing: continuing)
    guard let variant = outcome.variant else {
      output.appendASCII("{\"variant\":null,\"value\":null,\"rule\":null,\"reason\":\"")
      RequestHandler.appendReason(outcome.reason, to: &output)
      output.appendASCII("\"}")
      return
    }
    fragments.append(fragments.heads[Int(fragments.firstHead[index]) + variant], to: &output)
    if let rule = outcome.rule {
      fragments.append(fragments.ruleIDs[Int(fragments.firstRule[index]) + rule], to: &output)
    } else {
      output.appendASCII("null")
    }
    output.appendASCII(",\"reason\":\"")
    RequestHandler.appendReason(outcome.reason, to: &output)
    output.appendASCII("\"}")
  }

  /// A reason's text, without building a string.
  @inline(__always)
  static func appendReason(_ reason: Decision.Reason, to output: inout [UInt8]) {
    switch reason {
    case .match: output.appendASCII("match")
    case .rollout: output.appendASCII("rollout")
    case .split: output.appendASCII("split")
    case .default: output.appendASCII("default")
    case .prerequisiteFailed: output.appendASCII("prerequisite_failed")
    }
  }

  /// The end of an `id` that is an integer of at most 15 characters or a plain
  /// printable-ASCII string: valid JSON echoed as written without reading it.
  @inline(__always)
  private func plainIDEnd(_ base: UnsafePointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
    var position = start
    if base[position] == UInt8(ascii: "\"") {
      position += 1
      while position < count {
        let byte = base[position]
        if byte == UInt8(ascii: "\"") { return position + 1 }
        guard byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") else { return nil }
        position += 1
      }
      return nil
    }
    if base[position] == UInt8(ascii: "-") { position += 1 }
    let digits = position
    while position < count && base[position] >= UInt8(ascii: "0") && base[position] <= UInt8(ascii: "9") {
      position += 1
    }
    guard position > digits, position - start <= 15 else { return nil }
    if base[digits] == UInt8(ascii: "0") && position - digits > 1 { return nil }
    // A number must end here: `.`, `e` and anything else take the full path.
    if position < count {
      switch base[position] {
      case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "}"): break
      default: return nil
      }
    }
    return position
  }
}
