#!/usr/bin/env bash
# Checks that run after the test suite in CI: the packed SDK, gas budgets and snapshot, the README's demo command,
# and the coverage gate (last: the coverage build writes instrumented artifacts).
set -euo pipefail
echo "ci: the SDK package (npm pack, installed into a fresh project with ethers, driven against a local node)"
bash scripts/pack-check.sh
echo "ci: gas benchmark against bench/budgets.json and the committed bench/gas.json"
BENCH_CHECK=1 npm run bench:gas
echo "ci: the README's demo"
npm run demo > /tmp/microcredit-demo.log 2>&1 || { cat /tmp/microcredit-demo.log; exit 1; }
tail -3 /tmp/microcredit-demo.log

# Coverage: every test (Solidity and TypeScript) once more on instrumented contracts, with the quick fuzz/invariant
# profile (the heavy CI profile already ran above), then the gate on the line coverage of contracts/ (mocks
# excluded). A test failing under coverage fails the step, as does coverage below the minimum.
echo "ci: coverage (npm run coverage, quick fuzz profile), then npm run coverage:check (minimum 95% of lines)"
start=$(date +%s)
coverage_rc=0
env -u MICROCREDIT_PROFILE npm run coverage > /tmp/microcredit-coverage.log 2>&1 || coverage_rc=$?
echo "ci: npm run coverage exited ${coverage_rc} after $(($(date +%s) - start)) s"
if [ "$coverage_rc" -ne 0 ]; then
  grep -E -A 30 '^ *[0-9]+ failing' /tmp/microcredit-coverage.log || tail -40 /tmp/microcredit-coverage.log
fi
check_rc=0
npm run --silent coverage:check || check_rc=$?
[ "$coverage_rc" -eq 0 ] && [ "$check_rc" -eq 0 ]
