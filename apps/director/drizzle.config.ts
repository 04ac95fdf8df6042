// drizzle-kit: `pnpm --filter @email-profiles/director db:generate` writes the SQL migrations
// for src/db/schema.ts into drizzle/, which openDatabase() applies at start.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
