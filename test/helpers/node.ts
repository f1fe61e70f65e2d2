// A `hardhat node` child process for tests that drive the CLIs or a long-lived chain over JSON-RPC.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Starts `hardhat node --port <port>` and resolves once it serves; kill its process group when done. */
export async function startNode(port: number): Promise<ChildProcess> {
  const cli = fileURLToPath(new URL("../../node_modules/hardhat/dist/src/cli.js", import.meta.url));
  // Not under the build lock: the node does not compile, it only serves JSON-RPC.
  const child = spawn(process.execPath, [cli, "node", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${out}`)), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (out.length < 10_000) out += chunk.toString();
      if (out.includes("Started HTTP")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${out}`)));
  });
  return child;
}
