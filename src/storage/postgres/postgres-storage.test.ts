import { afterAll, describe } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { describeStorageConformance } from '../conformance/index.js';
import type { CoreStorage } from '../core/storage-core.js';
import { openPostgresStorage } from './postgres-storage.js';
import { dropSchemas, TEST_PG, uniqueSchema } from './postgres-test-support.js';

const available = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);
const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

describe.skipIf(!available)('postgres', () => {
  describeStorageConformance({
    name: 'postgres',
    create: (options) => {
      const schema = uniqueSchema('skein_conformance');
      schemas.push(schema);
      return openPostgresStorage(options, { ...TEST_PG, schema });
    },
    clear: (storage) => (storage as CoreStorage).clear(),
  });
});
