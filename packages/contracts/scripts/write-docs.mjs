// Writes the contract's documents to the repository's docs/ from the built package (`docs:generate` builds it first).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stdout } from 'node:process';
import { renderDocuments } from '../dist/docs.js';

const out = join(import.meta.dirname, '../../../docs');
for (const [name, text] of Object.entries(renderDocuments())) {
  writeFileSync(join(out, name), text);
  stdout.write(`wrote docs/${name}\n`);
}
