// Validates an AsyncAPI document (default: docs/asyncapi.yaml) with the AsyncAPI parser, following
// its $refs to the JSON Schemas. Prints each diagnostic; exits 1 when there is an error.
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';
import path from 'node:path';

const file = path.resolve(process.argv[2] ?? 'docs/asyncapi.yaml');
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, file).parse();
const name = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
for (const d of diagnostics) {
  console.log(`${name[d.severity]} ${d.code} at /${d.path.join('/')}: ${d.message}`);
}
const errors = diagnostics.filter(d => d.severity === DiagnosticSeverity.Error).length;
if (errors > 0 || !document) {
  console.log(`${file}: INVALID (${errors} errors)`);
  process.exit(1);
}
const channels = document.channels().all().map(c => c.address()).join(', ');
const operations = document.operations().all().length;
const messages = document.messages().all().length;
console.log(`${file}: valid AsyncAPI ${document.version()}; channels ${channels}; ${operations} operations, ${messages} messages`);
