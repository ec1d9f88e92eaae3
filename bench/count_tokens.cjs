// Counts tokens with js-tiktoken (its BPE ranks ship inside the npm package, so no download at
// run time). Usage: node count_tokens.cjs <prefix where js-tiktoken is installed> [encoding]
// stdin: one JSON string per line; stdout: its token count, one per line, in the same order.
"use strict";
const path = require("path");
const readline = require("readline");

const { getEncoding } = require(path.join(process.argv[2], "node_modules", "js-tiktoken"));
const encoding = getEncoding(process.argv[3] || "o200k_base");
const counts = [];
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
// special-token strings in a text ("<|endoftext|>") are counted as plain text, not rejected
lines.on("line", (line) => counts.push(encoding.encode(JSON.parse(line), [], []).length));
lines.on("close", () => process.stdout.write(counts.map((n) => `${n}\n`).join("")));
