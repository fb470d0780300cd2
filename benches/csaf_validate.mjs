#!/usr/bin/env node
// Runs the BSI secvisogram CSAF validator (npm @secvisogram/csaf-validator-lib) over every CSAF
// document under the given directories: the strict CSAF 2.0 schema, the mandatory tests (6.1),
// the recommended tests (6.2) and the informative tests (6.3; 6.3.8 spell-checks with hunspell
// and needs an `en` dictionary on hunspell's search path, e.g. en.aff/en.dic linked to en_US
// in the working directory). Prints one JSON object: documents, and per test the number of
// documents with errors and with warnings, plus the first few messages.
//
//   npm install --prefix /tmp/v @secvisogram/csaf-validator-lib
//   NODE_PATH=/tmp/v/node_modules node benches/csaf_validate.mjs [--no-informative] [--only=6.3.8,…] DIR...
//
// The informative tests 6.3.6/6.3.7 fetch every URL of a document (slow without a network):
// --no-informative leaves 6.3 out, --only= runs the tests named. `distinct` lists each
// distinct message (the document's own words in it) once, with how many documents gave it.
//
// tests/cli/conformance.rs runs it (when ENIGM_CSAF_VALIDATOR names the package directory).
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const args = process.argv.slice(2)
const informative = !args.includes('--no-informative')
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',')
const dirs = args.filter((a) => !a.startsWith('--'))
const lib =
  process.env.ENIGM_CSAF_VALIDATOR ??
  path.join(process.env.NODE_PATH ?? 'node_modules', '@secvisogram', 'csaf-validator-lib')
const load = (m) => import(pathToFileURL(path.join(lib, m)).href)
const validate = (await load('validate.js')).default
const schema = await load('schemaTests.js')
const mandatory = await load('mandatoryTests.js')
const optional = await load('optionalTests.js')
const info = await load('informativeTests.js')
const pkg = JSON.parse(await readFile(path.join(lib, 'package.json'), 'utf8'))

const tests = [schema.csaf_2_0_strict, ...Object.values(mandatory), ...Object.values(optional)]
if (informative) tests.push(...Object.values(info))
const testId = (name) =>
  name.replace(/^csaf_2_0_strict$/, 'schema').replace(/^[a-zA-Z]+Test_/, '').replaceAll('_', '.')
const selected = only ? tests.filter((t) => only.includes(testId(t.name))) : tests

async function* documents(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* documents(p)
    // The provider metadata and the ROLIE feeds (feed-tlp-*.json) are not CSAF documents.
    else if (entry.name.endsWith('.json') && entry.name !== 'provider-metadata.json' && !entry.name.startsWith('feed-tlp-')) yield p
  }
}

const counts = {}
let n = 0
for (const dir of dirs) {
  if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} is not a directory`)
  for await (const file of documents(dir)) {
    const doc = JSON.parse(await readFile(file, 'utf8'))
    n += 1
    const result = await validate(selected, doc)
    for (const t of result.tests) {
      const id = testId(t.name)
      const c = (counts[id] ??= { errors: 0, warnings: 0, infos: 0, examples: [], distinct: {} })
      for (const kind of ['errors', 'warnings', 'infos']) {
        const found = t[kind] ?? []
        if (found.length > 0) c[kind] += 1
        for (const f of found) {
          const key = `${f.instancePath.replace(/[0-9]+/g, 'N')}: ${f.message}`
          c.distinct[key] = (c.distinct[key] ?? 0) + 1
          if (c.examples.length < 3) c.examples.push(`${path.basename(file)} ${f.instancePath}: ${f.message}`)
        }
      }
    }
  }
}
const failing = Object.fromEntries(
  Object.entries(counts).filter(([, c]) => c.errors + c.warnings + c.infos > 0).sort(),
)
console.log(JSON.stringify({ validator: `${pkg.name} ${pkg.version}`, documents: n, tests: selected.length, failing }, null, 2))
