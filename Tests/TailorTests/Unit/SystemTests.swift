import Synchronization
import Testing

@testable import Tailor

/// The platform shim's own logic (the C calls it wraps are exercised by every other test).
@Suite struct SystemTests {
  @Test("concurrently runs both halves and returns the background half's result")
  func concurrentlyRunsBoth() {
    let ran = Atomic<Int>(0)
    var foregroundRan = false
    let result = System.concurrently(
      {
        ran.add(1, ordering: .relaxed)
        return (1...1000).reduce(0, +)
      },
      while: { foregroundRan = true }
    )
    #expect(result == 500_500)
    #expect(foregroundRan)
    #expect(ran.load(ordering: .relaxed) == 1)
  }

  @Test("the two halves run at the same time")
  func concurrentlyOverlaps() {
    // The foreground half waits (up to 10 s) for the background half to start: run
    // one after the other on one thread, the foreground half would give up.
    let started = Atomic<Bool>(false)
    var sawBackground = false
    System.concurrently(
      { started.store(true, ordering: .releasing) },
      while: {
        let deadline = System.monotonicNanoseconds() + 10_000_000_000
        while !started.load(ordering: .acquiring) && System.monotonicNanoseconds() < deadline {}
        sawBackground = started.load(ordering: .acquiring)
      }
    )
    #expect(sawBackground)
  }

  @Test("warnings are the same however many times a document is loaded")
  func warningsAreStable() throws {
    let document = """
      {"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "b": 2, "c": 3}, "default": "a",
        "rules": [{"id": "young", "when": {"age": {"$lt": 18}}, "serve": "b"},
                  {"id": "all", "serve": "b"}, {"id": "late", "serve": "c"}]}}}
      """
    let first = try Rules(json: document).warnings.map { $0.rendered() }
    #expect(first.count >= 2)
    for _ in 0..<20 {
      #expect(try Rules(json: document).warnings.map { $0.rendered() } == first)
    }
  }
}
