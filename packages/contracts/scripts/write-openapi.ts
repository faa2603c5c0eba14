/**
 * Writes `openapi.json`, the OpenAPI document the api serves at `GET /api/openapi.json`, from
 * the contracts. Run it after changing a contract: `npm run openapi -w @rungate/contracts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../src/index.ts';

const file = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${file}`);
