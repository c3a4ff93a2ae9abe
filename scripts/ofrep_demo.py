"""Evaluates `homepage-hero` for two users through the OpenFeature SDK and its OFREP provider.

    python scripts/ofrep_demo.py http://127.0.0.1:8016
"""

import json
import sys

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext

USERS = [
    ("u-1001", {"country": "ES", "tier": "gold", "visits": 42, "device": "desktop"}),
    ("u-1003", {"country": "FR", "visits": 1, "device": "mobile-web"}),
]


def main() -> int:
    base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8016"
    api.set_provider(OFREPProvider(base_url))
    client = api.get_client()
    failed = False
    for user, attributes in USERS:
        context = EvaluationContext(targeting_key=user, attributes=attributes)
        details = client.get_object_details("homepage-hero", {}, context)
        print(f"{user} {json.dumps(attributes)}")
        print(f"  variant={details.variant} reason={details.reason} "
              f"rule={details.flag_metadata.get('rule')}")
        print(f"  value={json.dumps(details.value)}")
        if details.error_code is not None:
            print(f"  error={details.error_code} {details.error_message}")
            failed = True
    api.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
