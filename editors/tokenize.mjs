// Tokenises text with the TextMate grammar, as VS Code does (vscode-textmate with
// the Oniguruma regex engine). Reads JSON from stdin: an array of texts. Writes JSON:
// for each text, its lines, each a list of [token text, [scopes...]].
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const wasm = readFileSync(join(dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));

const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
  }),
  loadGrammar: async (scopeName) => scopeName === "source.connectlang"
    ? textmate.parseRawGrammar(readFileSync(join(here, "connectlang.tmLanguage.json"), "utf8"),
                               "connectlang.tmLanguage.json")
    : null,
});
const grammar = await registry.loadGrammar("source.connectlang");

const texts = JSON.parse(readFileSync(0, "utf8"));
const result = texts.map((text) => {
  let state = textmate.INITIAL;
  return text.split("\n").map((line) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
    state = ruleStack;
    return tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]);
  });
});
process.stdout.write(JSON.stringify(result));
