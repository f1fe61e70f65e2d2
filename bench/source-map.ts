// Maps a contract's program counters to the Solidity function whose source the compiler attributes them to, from
// the build info Hardhat keeps (`artifacts/build-info`). Used by `bench/profile.ts` (`PROFILE_FUNCTIONS=1`). With viaIR the
// attribution is approximate (inlined code is attributed to where it was written, not to its caller).
import { readFileSync } from "node:fs";
import { join } from "node:path";

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
