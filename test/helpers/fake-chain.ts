// A JSON-RPC server at `host` that answers eth_chainId with `chainId` and refuses every other call: a public network
// (or a node on another machine) as a tool sees it before it sends anything else, offline.
import { createServer, type Server } from "node:http";

export async function fakeChain(
  chainId: bigint,
  host = "127.0.0.1",
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const parsed = JSON.parse(body) as unknown;
      const calls = [parsed].flat() as { id: number; method: string }[];
      const answers = calls.map(({ id, method }) =>
        method === "eth_chainId"
          ? { jsonrpc: "2.0", id, result: `0x${chainId.toString(16)}` }
          : { jsonrpc: "2.0", id, error: { code: -32601, message: `${method} is not served here` } },
      );
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as { port: number }).port}`, server };
}
