"""Stage 1, inputs: what the library reads, validated strictly.

Timelines and their events, rule files and the rule set, the interpretation
profile, a prison's institution records, and the JSON and YAML readers they
share. Imports only from :mod:`.._common`.
"""
