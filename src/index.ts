// The Worker: HTTP (AI APIs, admin API; the dashboard comes from the assets binding), the usage
// queue consumer and the scheduled job. Durable Object classes are exported from here.
import { app } from './app';
import { runScheduled } from './jobs/scheduled';
import { handleUsageBatch } from './usage/consumer';

export { AccountGovernor } from '../durable-objects/account-governor';
export { ConfigEpoch } from '../durable-objects/config-epoch';
export { KeyPool } from '../durable-objects/key-pool';

export default {
  fetch: app.fetch,
  queue: handleUsageBatch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
