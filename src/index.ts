// The Worker: HTTP (AI APIs, admin API; the dashboard comes from the assets binding), the usage
// queue consumer and the scheduled job. Durable Object classes are exported from here.
// The consumer and the scheduled job are imported on their first invocation: a cold isolate that
// serves requests does not evaluate them (or the usage record's schema built from the table).
import { app } from './app';

export { AccountGovernor } from '../durable-objects/account-governor';
export { ConfigEpoch } from '../durable-objects/config-epoch';
export { KeyPool } from '../durable-objects/key-pool';

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const { handleUsageBatch } = await import('./usage/consumer');
    return handleUsageBatch(batch, env);
  },
  async scheduled(controller, env, ctx) {
    const { runScheduled } = await import('./jobs/scheduled');
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
