import { runMain } from '../../lib/run-main';
import { openWarehouse } from '../../lib/warehouse/connection';
import { migrateWarehouse } from '../../lib/warehouse/migrate';

// `npm run db:migrate`: bring the warehouse schema up to date (safe to run again).
void runMain('migrate', async ({ config, log }) => {
  const warehouse = await openWarehouse(config.databaseUrl, { connectionLimit: 1 });
  try {
    await migrateWarehouse(warehouse, { log });
  } finally {
    await warehouse.close();
  }
});
