// Maps a contract's program counters to the Solidity function whose source the compiler attributes them to (or to the
// Yul function of the optimised IR that holds them), from the build info Hardhat keeps (`artifacts/build-info`). Used
// by `bench/profile.ts` (`PROFILE_FUNCTIONS=1` or `yul`). With viaIR the source attribution is approximate (inlined
// code is attributed to where it was written, not to its caller).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

interface Artifact {
  sourceName: string;
  contractName: string;
  buildInfoId: string;
}

/** pc → "file:function" for the runtime code of `artifact` (a path under `artifacts/contracts`). */
export function functionsByPc(artifactPath: string): Map<number, string> {
  const artifact: Artifact = JSON.parse(readFileSync(artifactPath, "utf8"));
  const output = JSON.parse(
    readFileSync(join("artifacts", "build-info", `${artifact.buildInfoId}.output.json`), "utf8"),
  ).output;
  const input = JSON.parse(
    readFileSync(join("artifacts", "build-info", `${artifact.buildInfoId}.json`), "utf8"),
  );
  const contractKey = Object.keys(output.contracts).find((k) => k.endsWith(artifact.sourceName))!;
  const compiled = output.contracts[contractKey][artifact.contractName];
  const code: string = compiled.evm.deployedBytecode.object;
  const map: string = compiled.evm.deployedBytecode.sourceMap;
  // Source id → file name and text.
  const files: { name: string; text: string; functions: { start: number; name: string }[] }[] = [];
  for (const [name, source] of Object.entries<{ id: number }>(output.sources)) {
    const text: string = input.input.sources[name]?.content ?? "";
    const functions: { start: number; name: string }[] = [];
    for (const m of text.matchAll(
      /^[ \t]*(function|modifier|constructor|fallback|receive)\s*([A-Za-z0-9_]*)/gm,
    )) {
      functions.push({ start: m.index!, name: m[2] || m[1] });
    }
    files[source.id] = { name: name.split("/").pop()!, text, functions };
  }
  // Instruction index → pc.
  const pcs: number[] = [];
  const bytes = Buffer.from(code.replace(/^0x/, ""), "hex");
  for (let pc = 0; pc < bytes.length; pc++) {
    pcs.push(pc);
    const op = bytes[pc];
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  const out = new Map<number, string>();
  let s = -1;
  let f = -1;
  map.split(";").forEach((entry, i) => {
    const [sp, , fp] = entry.split(":");
    if (sp !== undefined && sp !== "") s = Number(sp);
    if (fp !== undefined && fp !== "") f = Number(fp);
    const file = files[f];
    let label = "(compiler-generated)";
    if (file && s >= 0) {
      let name = "(top level)";
      for (const fn of file.functions) if (fn.start <= s) name = fn.name;
      label = `${file.name}:${name}`;
    }
    if (pcs[i] !== undefined) out.set(pcs[i], label);
  });
  return out;
}

/**
 * pc → the Yul function of the optimised IR whose code holds it, for the runtime code of `artifact`. viaIR inlines
 * most Solidity functions, so this is the finer view: what is left as a function (`fun_settle`, `checked_mul_uint256`,
 * `allocate_and_zero_memory_struct_…`) keeps its name, and code before the first function (the selector dispatch and
 * the external functions' bodies) is reported by 128-byte window. It recompiles the artifact's own build input with
 * the `solc` package, asking only for `functionDebugData` (about 15 s a contract), and refuses to answer if the code
 * it gets is not the artifact's.
 */
export function yulFunctionsByPc(artifactPath: string): (pc: number) => string {
  const artifact: Artifact & { deployedBytecode: string } = JSON.parse(readFileSync(artifactPath, "utf8"));
  const input = JSON.parse(
    readFileSync(join("artifacts", "build-info", `${artifact.buildInfoId}.json`), "utf8"),
  );
  const sourceKey = Object.keys(input.input.sources).find((k) => k.endsWith(artifact.sourceName))!;
  const settings = {
    ...input.input.settings,
    outputSelection: {
      [sourceKey]: {
        [artifact.contractName]: ["evm.deployedBytecode.object", "evm.deployedBytecode.functionDebugData"],
      },
    },
  };
  const solc = createRequire(import.meta.url)("solc");
  const output = JSON.parse(solc.compile(JSON.stringify({ ...input.input, settings })));
  const compiled = output.contracts?.[sourceKey]?.[artifact.contractName];
  if (!compiled)
    throw new Error(`solc did not compile ${artifact.contractName}: ${JSON.stringify(output.errors)}`);
  // The metadata hash at the end may differ (it names the sources); the code before it must not.
  const code: string = compiled.evm.deployedBytecode.object;
  const deployed = artifact.deployedBytecode.replace(/^0x/, "");
  const metadata = parseInt(deployed.slice(-4), 16) * 2 + 4;
  if (code.length !== deployed.length || code.slice(0, -metadata) !== deployed.slice(0, -metadata)) {
    throw new Error(
      `${artifact.contractName}: recompiled code differs from the artifact (run npm run build)`,
    );
  }
  const entries = Object.entries<{ entryPoint: number | null }>(
    compiled.evm.deployedBytecode.functionDebugData,
  )
    .filter(([, v]) => v.entryPoint !== null)
    .map(([name, v]) => [v.entryPoint!, name] as const)
    .sort((a, b) => a[0] - b[0]);
  return (pc) => {
    let name = `(dispatch and external bodies, pc ${Math.floor(pc / 128) * 128}…)`;
    for (const [entry, fn] of entries) {
      if (entry > pc) break;
      name = fn;
    }
    return name;
  };
}
