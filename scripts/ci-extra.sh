#!/usr/bin/env bash
# Checks that run after the test suite in CI: gas budgets and snapshot, and the README's demo command.
set -euo pipefail
echo "ci: gas benchmark against bench/budgets.json and the committed bench/gas.json"
BENCH_CHECK=1 npm run bench:gas
echo "ci: the README's demo"
npm run demo > /tmp/microcredit-demo.log 2>&1 || { cat /tmp/microcredit-demo.log; exit 1; }
tail -3 /tmp/microcredit-demo.log
