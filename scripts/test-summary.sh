#!/usr/bin/env bash
# Runs a go test command with -json and prints what plain go test prints
# (package results, the output of failing tests), then a count of passed,
# failed and skipped tests and why tests skipped. Exits with go test's status.
# Usage: scripts/test-summary.sh go test [flags] packages...
set -uo pipefail
cd "$(dirname "$0")/.."
go=$1
shift
"$go" "$@" -json | "$go" run ./scripts/testsummary
exit "${PIPESTATUS[0]}"
