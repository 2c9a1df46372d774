import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './d1-migrations',
  // D1's migration runner reads plain numbered .sql files; drizzle-kit's journal lives in meta/.
  migrations: { prefix: 'index' },
});
