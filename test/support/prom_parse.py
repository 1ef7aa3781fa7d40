"""Parses Prometheus text from stdin with prometheus_client's own parser (the one AIPerf uses) and
prints the families as JSON: [{name, type, samples: [{name, labels, value}]}]."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    out.append({
        "name": family.name,
        "type": family.type,
        "samples": [
            {"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)}
            for s in family.samples
        ],
    })
json.dump(out, sys.stdout)
