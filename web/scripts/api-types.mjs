// The TypeScript types of the server's API, generated with openapi-typescript from
// `openapi.json` (the OpenAPI document the server serves at /api/v1/openapi.json; a Rust test
// keeps the committed copy equal to it) into `src/lib/api-schema.d.ts`, which is committed.
//
//   node scripts/api-types.mjs          writes the file (`npm run gen:api`)
//   node scripts/api-types.mjs --check  fails if the committed file differs from a fresh
//                                       generation (`npm run check:api`, run by `cargo xtask lint`)

import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const SOURCE = new URL("../openapi.json", import.meta.url);
const TARGET = new URL("../src/lib/api-schema.d.ts", import.meta.url);
const HEADER = `// Generated from web/openapi.json (the server's /api/v1/openapi.json) by openapi-typescript:
// run \`npm run gen:api\` after the API changes. Do not edit by hand; \`npm run check:api\` fails
// when this file no longer matches the document.

`;

/** The file's text as generated now. */
async function generate() {
  return HEADER + astToString(await openapiTS(SOURCE, { silent: true }));
}

/** The committed file's text, or "" when there is none yet. */
async function committed() {
  return readFile(TARGET, "utf8").catch((error) => (error.code === "ENOENT" ? "" : Promise.reject(error)));
}

const fresh = await generate();
const target = fileURLToPath(TARGET);
if (process.argv.includes("--check")) {
  if ((await committed()) !== fresh) {
    console.error(`${target} is stale: it does not match openapi.json. Run \`npm run gen:api\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${target} matches openapi.json.`);
} else {
  await writeFile(TARGET, fresh);
  console.log(`Wrote ${target} from openapi.json.`);
}
