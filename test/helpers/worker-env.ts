// Loaded by each of Mocha's parallel workers (`test.mocha.require`, hardhat.config.ts). Hardhat starts the workers
// with NODE_OPTIONS="--import tsx/esm" so that they load TypeScript; the processes the tests start (the CLIs, the
// scripts, nodes) must see a user's environment instead, where Node runs the project's TypeScript by its own type
// stripping. The worker has loaded tsx already: only its children lose it.
const options = (process.env.NODE_OPTIONS ?? "").replace(/--import\s+"[^"]*tsx[^"]*"/g, "").trim();
if (options === "") delete process.env.NODE_OPTIONS;
else process.env.NODE_OPTIONS = options;

export {};
