// Validates Kubernetes manifests offline with kubernetes-models (schemas compiled from the official OpenAPI).
// Usage: node validate.js [file ...]   (no file: read stdin). Input: YAML or JSON, several documents allowed.
// Output: one JSON array on stdout, one entry per document: {index, apiVersion, kind, name, valid, errors}.
// Exit code: 0 when every document is valid, 1 when one is not, 2 when the input cannot be read at all.
import { readFileSync } from "node:fs";
import * as yaml from "js-yaml";

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9.\/]+$/.test(apiVersion + kind)) {
    return undefined;
  }
  // Core kinds live under "v1", grouped kinds under "<group>/<version>", exactly like apiVersion.
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

function describe(error) {
  if (error && Array.isArray(error.errors)) {
    return error.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  }
  return [String(error && error.message ? error.message : error)];
}

async function validateDocument(doc, index) {
  const result = { index, apiVersion: doc?.apiVersion ?? null, kind: doc?.kind ?? null, name: doc?.metadata?.name ?? null, valid: false, errors: [] };
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    result.errors.push("document is not an object");
    return result;
  }
  const Model = await modelFor(doc.apiVersion, doc.kind);
  if (!Model) {
    result.errors.push(`unknown apiVersion/kind ${doc.apiVersion}/${doc.kind}`);
    return result;
  }
  try {
    new Model(doc).validate();
    result.valid = true;
  } catch (error) {
    result.errors.push(...describe(error));
  }
  return result;
}

async function main() {
  const files = process.argv.slice(2);
  let texts;
  try {
    texts = files.length === 0 ? [readFileSync(0, "utf8")] : files.map((f) => readFileSync(f, "utf8"));
  } catch (error) {
    process.stderr.write(`cannot read input: ${error.message}\n`);
    process.exit(2);
  }
  const docs = [];
  try {
    for (const text of texts) {
      for (const doc of yaml.loadAll(text)) {
        if (doc !== null && doc !== undefined) docs.push(doc);
      }
    }
  } catch (error) {
    process.stderr.write(`cannot parse input: ${error.message}\n`);
    process.exit(2);
  }
  const results = [];
  for (let i = 0; i < docs.length; i++) results.push(await validateDocument(docs[i], i));
  process.stdout.write(JSON.stringify(results) + "\n");
  process.exit(results.every((r) => r.valid) && results.length > 0 ? 0 : 1);
}

await main();
