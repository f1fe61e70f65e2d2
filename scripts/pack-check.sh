#!/usr/bin/env bash
# The library as a user installs it: builds dist/ (npm run build:lib), packs the tarball, installs it with ethers
# from the registry (the peer dependency) into a fresh project, and runs plain Node scripts (no TypeScript loader)
# through every entry point. Then, unless --no-chain: starts a Hardhat node on PACK_CHECK_PORT (9645), deploys with
# scripts/deploy.ts, drives deposit → draw → repay → payoff → redeem through the installed client, and runs the
# installed `microcredit` CLI (lender status, deposit; ops status; a node without a deployment).
#   bash scripts/pack-check.sh [--no-chain]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
chain=1
[ "${1:-}" = "--no-chain" ] && chain=0
port=${PACK_CHECK_PORT:-9645}
started=$(date +%s)

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 22 ] || { echo "pack-check: needs Node 22 or later, found $(node --version)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/microcredit-pack.XXXXXX")
node_pid=""
journal=""
# A journal of this port from before the run is someone else's: it is never removed.
journal_existed=0
[ -d "ignition/deployments/chain-31337-${port}" ] && journal_existed=1
cleanup() {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; fi
  # The node's journal goes with the node when this run created it (keyed by the port, not the shared chain-31337/).
  if [ "$journal_existed" -eq 0 ] && [ -n "$journal" ] && [[ "$journal" == *"-${port}" ]]; then
    rm -rf "$journal"
    rmdir "$(dirname "$journal")" 2> /dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

npm run --silent build:lib
tarball=$(npm pack --json --pack-destination "$work" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s)[0].filename))')
echo "pack-check: packed $tarball ($(du -k "$work/$tarball" | cut -f1) kB)"

mkdir "$work/app"
cd "$work/app"
npm init -y > /dev/null
npm pkg set type=module
npm install --no-audit --no-fund --loglevel=error "$work/$tarball" ethers@6.17.0 > /dev/null

cat > check.mjs <<'EOF'
// Every entry point of the installed tarball, with real values.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { Wallet, id, verifyTypedData } from "ethers";
import { schedule, Method, totalRepayable } from "microcredit/core";
import { ERROR_SIGNATURES, errorSelector, ABIS } from "microcredit/abi";
import ledgerJson from "microcredit/abi/CreditLedger.json" with { type: "json" };
import * as risk from "microcredit/risk";
import * as client from "microcredit";

// microcredit/core: the golden equal-instalment plan of PRODUCT.md §4 (test/schedule.diff.ts), 10,000.00 at 18%.
const rows = schedule({
  method: Method.EqualInstalment,
  principal: 10_000_000000n,
  aprBps: 1800,
  instalments: 12,
  periodDays: 30,
});
assert.deepEqual(rows.slice(0, 11).map((r) => r.payment), Array(11).fill(916_799930n));
assert.equal(rows[11].payment, 916_799924n);
assert.deepEqual([rows[0].interest, rows[1].interest, rows[11].interest], [150_000000n, 138_498002n, 13_548768n]);
assert.equal(totalRepayable(rows), 11_001_599154n);

// microcredit/core imports no ethers, directly or through another module.
const pkg = dirname(createRequire(import.meta.url).resolve("microcredit/package.json"));
const seen = new Set();
const walk = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*["']([^"']+)["']/g)) {
    assert.ok(spec.startsWith("."), `${file} imports ${spec}`);
    walk(resolve(dirname(file), spec));
  }
};
walk(join(pkg, "dist/core/index.js"));
assert.ok(seen.size >= 4);

// microcredit/abi: a custom error's selector is the first 4 bytes of the keccak of its signature.
const signature = "CreditLimitExceeded(uint256,uint256)";
const selector = id(signature).slice(0, 10);
assert.equal(errorSelector("CreditLimitExceeded"), selector);
assert.equal(ERROR_SIGNATURES[selector], signature);
assert.deepEqual(ABIS.CreditLedger, ledgerJson);
assert.ok(ABIS.CreditLedger.some((f) => f.type === "function" && f.name === "drawWithin"));
assert.ok(ABIS.CreditLens.some((f) => f.type === "function" && f.name === "loanState"));

// microcredit/risk: 50:1 odds score 600 points, tier A of the default policy, whose offer signs and recovers.
const score = Math.round(risk.scoreFromOdds(risk.makeScaling(), 50));
assert.equal(score, 600);
const decision = risk.decide(risk.DEFAULT_POLICY, score);
assert.equal(decision.decision, "approve");
assert.equal(decision.tier, "A");
const underwriter = new Wallet(id("pack check underwriter"));
const borrower = new Wallet(id("pack check borrower")).address;
const ledger = new Wallet(id("pack check ledger")).address;
const lens = new Wallet(id("pack check lens")).address;
const offers = new Wallet(id("pack check offers")).address;
const offer = risk.offerFromDecision(decision, borrower, ledger, 1n, 2_000_000_000n, `sha256:${"ab".repeat(32)}`);
assert.equal(offer.limit, decision.limit);
assert.equal(offer.aprBps, BigInt(decision.aprBps));
const offerSignature = await risk.signOffer(underwriter, offers, 31337n, offer);
assert.equal(risk.recoverOfferSigner(offers, 31337n, offer, offerSignature), underwriter.address);
const domain = risk.offersDomain(offers, 31337n);
assert.equal(verifyTypedData(domain, risk.OFFER_TYPES, offer, offerSignature), underwriter.address);

// microcredit: the client, and the decoder turning raw revert data into one sentence.
assert.equal(typeof client.Microcredit.connect, "function");
const word = (units) => units.toString(16).padStart(64, "0");
assert.equal(
  client.decodeError(selector + word(5_000_000n) + word(3_000_000n))?.message,
  "Credit limit exceeded: requested 5.00 (5,000,000 units), available 3.00 (3,000,000 units).",
);
const entries = {
  "Microcredit#CreditLedger": ledger,
  "Microcredit#CreditLens": lens,
  "Microcredit#LendingPool": offers,
  "Microcredit#MockStablecoin": borrower,
};
assert.deepEqual(client.addressesFromIgnition(entries), { ledger, lens, pool: offers, token: borrower });

console.log(`pack-check: core, abi, risk and the client load from the tarball (${seen.size} core modules, no ethers)`);
EOF
node check.mjs
# The `microcredit` bin is installed and runs under plain Node.
usage=$(npx --no microcredit lender --help)
[[ "$usage" == "usage: microcredit lender <command>"* ]] ||
  { echo "pack-check: the installed microcredit bin does not print its usage" >&2; exit 1; }

if [ "$chain" -eq 0 ]; then
  echo "pack-check: passed in $(($(date +%s) - started)) s (no chain)"
  exit 0
fi

cat > chain.mjs <<'EOF'
// The installed client against a fresh deployment: a lender deposits, a borrower draws, repays, pays off, the
// lender redeems; a refused draw comes back as one sentence.
import assert from "node:assert/strict";
import { Contract, JsonRpcProvider } from "ethers";
import { Microcredit, MicrocreditError } from "microcredit";
import { ABIS } from "microcredit/abi";

const [rpc, addressesFile] = process.argv.slice(2);
const provider = new JsonRpcProvider(rpc);
const [admin, lenderSigner, borrowerSigner] = await Promise.all([0, 1, 2].map((i) => provider.getSigner(i)));
const lender = await Microcredit.connect(lenderSigner, addressesFile);
const borrower = await Microcredit.connect(borrowerSigner, addressesFile);
const ONE = 10n ** BigInt(lender.decimals);

// Set-up by the deployer (token faucet, underwriter role): outside the client's job.
const token = new Contract(lender.addresses.token, ["function faucet(address to, uint256 amount)"], admin);
await (await token.faucet(lenderSigner.address, 100_000n * ONE)).wait();
await (await token.faucet(borrowerSigner.address, 100n * ONE)).wait();
const ledger = new Contract(lender.addresses.ledger, ABIS.CreditLedger, admin);
await (await ledger.setLine(borrowerSigner.address, 2_000n * ONE, 1200, 1, 1)).wait();

const deposit = await lender.deposit(100_000n * ONE);
assert.ok(deposit.value > 0n);
assert.equal((await lender.position()).shares, deposit.value);

await assert.rejects(borrower.draw(0, 5_000n * ONE), (error) => {
  assert.ok(error instanceof MicrocreditError, String(error));
  assert.equal(error.errorName, "CreditLimitExceeded");
  assert.match(error.message, /^Credit limit exceeded: requested 5,000\.00 /);
  return true;
});
const drawn = await borrower.draw(0, 1_000n * ONE);
const [loan] = await borrower.loans();
assert.equal(loan.id, drawn.value);
assert.equal(loan.status, "active");
assert.equal(loan.principal, 1_000n * ONE);
assert.equal((await borrower.line()).outstanding, 1_000n * ONE);

const repaid = await borrower.repay(loan.id, 100n * ONE);
assert.equal(repaid.value, 100n * ONE);
const payoff = await borrower.payoff(loan.id);
assert.ok(payoff.value > 900n * ONE && payoff.value < 1_000n * ONE, `payoff ${payoff.value}`);
assert.equal((await borrower.loan(loan.id)).status, "repaid");
assert.equal((await borrower.line()).outstanding, 0n);

// Read-only, from a provider and the three core addresses: the token is the pool's asset.
const { ledger: ledgerAddress, lens, pool } = lender.addresses;
const reader = await Microcredit.connect(provider, { ledger: ledgerAddress, lens, pool });
assert.equal(reader.addresses.token, lender.addresses.token);
assert.deepEqual(await reader.position(lenderSigner.address), await lender.position());

const { maxRedeem } = await lender.position();
const redeemed = await lender.redeem(maxRedeem);
assert.ok(redeemed.value > 0n);
assert.equal((await lender.position()).shares, deposit.value - maxRedeem);
console.log(
  `pack-check: deposit ${deposit.value} shares, draw loan ${loan.id}, repay ${repaid.value} + payoff ${payoff.value}, ` +
    `redeem ${maxRedeem} shares for ${redeemed.value} units, through the installed client`,
);
provider.destroy();
EOF

cd "$repo"
rpc="http://127.0.0.1:${port}"
answers() {
  curl -s -o /dev/null -X POST -H 'content-type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$rpc"
}
# Another node on the port would get this run's contracts (and lose its journal): refuse instead.
if answers; then
  echo "pack-check: something already answers on port ${port}; set PACK_CHECK_PORT to a free port" >&2
  exit 1
fi
node_modules/.bin/hardhat node --port "$port" > "$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.log"; exit 1; }
  answers && break
  sleep 0.5
done
node --import tsx/esm scripts/deploy.ts --rpc "$rpc" > "$work/deploy.log" 2>&1 || { cat "$work/deploy.log"; exit 1; }
# The deploy's last line names the addresses file: "deployed on chain <id> (<rpc>); addresses in <file>".
addresses=$(sed -n 's/.*; addresses in //p' "$work/deploy.log" | tail -1)
[ -f "$addresses" ] || { cat "$work/deploy.log"; echo "pack-check: no addresses file in the deploy's output" >&2; exit 1; }
journal=$(cd "$(dirname "$addresses")" && pwd)
cd "$work/app"
node chain.mjs "$rpc" "$journal/deployed_addresses.json"

# The installed `microcredit` bin (plain Node, no TypeScript loader): a lender's status, a deposit, the status again;
# without --deployment, the fresh project has no deployment for the node: one line and exit code 2.
cli() { npx --no microcredit "$@" --rpc "$rpc" --deployment "$journal/deployed_addresses.json" --json; }
before=$(cli lender status --account 1)
deposited=$(cli lender deposit --amount 250.5 --account 1)
after=$(cli lender status --account 1)
pool=$(cli ops status)
node -e '
const [before, deposited, after, pool] = process.argv.slice(1).map((s) => JSON.parse(s));
const assert = (ok, what) => { if (!ok) { console.error(`pack-check: microcredit CLI: ${what}`); process.exit(1); } };
assert(deposited.assets === "250500000", `deposit of ${deposited.assets} units, not 250500000`);
assert(BigInt(after.shares) === BigInt(before.shares) + BigInt(deposited.shares), "shares after = before + minted");
assert(BigInt(after.tokenBalance) === BigInt(before.tokenBalance) - 250_500000n, "the wallet paid the deposit");
assert(pool.paused === false && BigInt(pool.totalAssets) > 0n, `ops status ${JSON.stringify(pool)}`);
console.log(`pack-check: microcredit CLI: deposit 250.5 for ${deposited.shares} shares, lender status ${after.shares} shares, pool ${pool.totalAssets} units`);
' "$before" "$deposited" "$after" "$pool"
set +e
missing=$(npx --no microcredit ops status --rpc "$rpc" 2>&1 >/dev/null)
status=$?
set -e
[ "$status" -eq 2 ] && [[ "$missing" == "microcredit ops status: no deployment for chain 31337 at $rpc: "* ]] ||
  { echo "pack-check: microcredit CLI without a deployment: exit $status, \"$missing\"" >&2; exit 1; }
echo "pack-check: passed in $(($(date +%s) - started)) s"
