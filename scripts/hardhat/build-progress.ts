// A Hardhat plugin of this project: the build uses every core, says what it compiles as it goes (job k of n, the
// elapsed time), and prints only the compiler diagnostics that fail the build (compiler-warnings.ts).
import type { HardhatPlugin } from "hardhat/types/plugins";

const buildProgress: HardhatPlugin = {
  id: "microcredit-build-progress",
  hookHandlers: {
    solidity: () => import("./build-progress-hooks.ts"),
  },
};

export default buildProgress;
