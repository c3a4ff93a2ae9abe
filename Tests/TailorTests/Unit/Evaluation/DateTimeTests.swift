import Testing

@testable import Tailor

/// ISO-8601 date-times for `$before`, `$after` and schedules.
@Suite struct DateTimeTests {
  /// 2026-06-01T00:00:00Z.
  static let june1 = 1_780_272_000.0

  @Test(
    "accepted forms",
    arguments: [
      ("2026-06-01", june1),
      ("2026-06-01T00:00:00Z", june1),
      ("2026-06-01T00:00Z", june1),
      ("2026-06-01t00:00:00z", june1),
      ("2026-06-01 00:00:00Z", june1),
      ("2026-06-01T00:00:00", june1),
      ("2026-06-01T02:00:00+02:00", june1),
      ("2026-06-01T02:00:00+0200", june1),
      ("2026-05-31T19:00:00-05:00", june1),
      ("2026-06-01T05:30:00+05:30", june1),
      ("2026-06-01T00:00:00.5Z", june1 + 0.5),
      ("2026-06-01T00:00:00,25Z", june1 + 0.25),
      ("2026-05-31T24:00:00Z", june1),
      ("2024-02-29", 1_709_164_800),
      ("1969-12-31T23:59:59Z", -1),
      ("1970-01-01T00:00:00Z", 0),
    ] as [(String, Double)]
  )
  func parses(_ text: String, _ seconds: Double) {
    #expect(DateTime.parse(text) == seconds)
  }

  @Test(
    "rejected forms",
    arguments: [
      "", "soon", "2026-02-29", "2026-13-01", "2026-00-10", "2026-06-31", "26-06-01", "2026-6-1",
      "2026-06-01T", "2026-06-01T25:00Z", "2026-06-01T24:01Z", "2026-06-01T00:60Z",
      "2026-06-01T00:00:00+24:00", "2026-06-01T00:00:00.Z", "2026-06-01T00:00:00Zjunk",
      "2026-06-01T00:00:00 +02:00", "2026-06-01T00", "2026-06-01Z",
    ]
  )
  func rejects(_ text: String) {
    #expect(DateTime.parse(text) == nil)
  }

  @Test func formats() {
    #expect(DateTime.format(DateTimeTests.june1) == "2026-06-01T00:00:00Z")
    #expect(DateTime.format(DateTimeTests.june1 + 0.5) == "2026-06-01T00:00:00.500Z")
    #expect(DateTime.format(-1) == "1969-12-31T23:59:59Z")
    #expect(DateTime.format(0) == "1970-01-01T00:00:00Z")
  }
}
