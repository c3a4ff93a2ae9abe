// The smallest program that links Tailor: load rules, decide for one profile,
// print the answer. Run it with `swift run quickstart`.
import Tailor

let rules = try Rules(
  json: """
    {"tailor": 1,
     "segments": {"eu": {"country": {"$in": ["ES", "PT", "FR", "DE", "IT"]}}},
     "decisions": {"homepage-hero": {
       "variants": {"standard": {"image": "a.jpg"}, "vip": {"image": "v.jpg"}},
       "default": "standard",
       "rules": [{"id": "vip-eu", "when": {"$segment": "eu", "tier": "gold"}, "serve": "vip"}]}}}
    """
)
let profile = try Profile(json: #"{"country": "ES", "tier": "gold"}"#)
if let decision = rules.decide("homepage-hero", for: profile, explain: true) {
  print(decision.variant ?? "none", decision.rule ?? "-")  // vip vip-eu
  print(decision.json.jsonText)
}
