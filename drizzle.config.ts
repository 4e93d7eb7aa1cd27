// Config files that tools require are the one exception to named exports (house style).
import { defineConfig } from 'drizzle-kit';

/** drizzle-kit: generate MySQL migrations from drizzle/schema.ts into drizzle/migrations. */
export default defineConfig({
  dialect: 'mysql',
  schema: './drizzle/schema.ts',
  out: './drizzle/migrations',
});
