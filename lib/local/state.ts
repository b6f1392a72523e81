// Where `npm start` writes what the CLI needs to reach the running stack.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STATE_FILE = join(ROOT, '.local', 'stack.json');
