// gguf-compare.mjs: a GGUF file written by `ftcot export --format gguf` run in llama.cpp (the CPU build that
// the npm package node-llama-cpp ships, pinned in tests/npm/package.json): the prompt must tokenize to the
// ids `ftcot generate` gave, and greedy decoding must give the same tokens as `ftcot generate --json`.
// Usage: node gguf-compare.mjs NPM_DIR GGUF_FILE FTCOT_JSON   (FTCOT_JSON: ftcot generate's output)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [npmDir, gguf, jsonFile] = process.argv.slice(2).map((p) => path.resolve(p));
const require = createRequire(path.join(npmDir, "package.json"));
const { getLlama } = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);
const want = JSON.parse(readFileSync(jsonFile, "utf8"));

const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: gguf });
const context = await model.createContext({ contextSize: 256, batchSize: 256 });
const sequence = context.getSequence();
const prompt = want.prompt;
const ids = Array.from(model.tokenize(prompt, true));
let failed = 0;
if (JSON.stringify(ids) !== JSON.stringify(want.prompt_ids)) {
  console.log(`not ok prompt ids: llama.cpp ${JSON.stringify(ids)} ftcot ${JSON.stringify(want.prompt_ids)}`);
  failed++;
}
const got = [];
for await (const token of sequence.evaluate(ids, { temperature: 0 })) {
  got.push(token);
  if (got.length >= want.generated_ids.length) break;
}
if (JSON.stringify(got) !== JSON.stringify(want.generated_ids)) {
  console.log(`not ok greedy tokens: llama.cpp ${JSON.stringify(got)} ftcot ${JSON.stringify(want.generated_ids)}`);
  failed++;
} else
  console.log(`ok: ${ids.length} prompt tokens and ${got.length} greedy tokens agree`);
await context.dispose();
await model.dispose();
process.exit(failed ? 1 : 0);
