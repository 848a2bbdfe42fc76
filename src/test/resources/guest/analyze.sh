# AnalyzeIT: `dynamos analyze` on the running kernel - the path a real machine takes, reading
# /proc/kallsyms and the tracing filter list live - with its summary written to ANALYZE_SHARE
# (a host directory) for the host to compare with the listings `--collect` cached.
. "$(dirname "$0")/lib.sh"
[ -n "$ANALYZE_SHARE" ] || { echo "analyze.sh: ANALYZE_SHARE is not set" >&2; exit 64; }
d analyze --json > "$ANALYZE_SHARE/live.json"
val live_bytes "$(wc -c < "$ANALYZE_SHARE/live.json")"
# Nothing of the framework is loaded: the analysis only reads.
val loaded "$(grep -c '^dynamos ' /proc/modules || true)"
