// Writes docs/troubleshooting.md from the failure taxonomy.
//   pnpm --filter @email-profiles/core docs:troubleshooting
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TROUBLESHOOTING_PATH, troubleshootingGuide } from '../src/failures/troubleshooting.js';

const file = join(import.meta.dirname, '..', '..', '..', TROUBLESHOOTING_PATH);
writeFileSync(file, troubleshootingGuide());
console.log(`wrote ${file}`);
