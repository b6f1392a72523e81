// `npm run openapi`: writes the generated OpenAPI document to docs/openapi.json (a test fails when they differ).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '../../lib/api/openapi';
import { ROOT } from '../../lib/config';

const file = join(ROOT, 'docs', 'openapi.json');
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${file}`);
