// Model listings ("only what the caller may use"), in each protocol's shape. Which models:
// routing/visible-models.ts; the shapes: the protocols' listings in the registry.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { NotFoundError } from '../errors/gateway-error';
import { modelListing } from '../providers/registry';
import type { ProtocolFamily } from '../providers/types';
import { visibleModels } from '../routing/visible-models';
import { gatewayConfig } from '../state/config';

async function visible(c: Context<AppEnv>): Promise<string[]> {
  return visibleModels(c.get('auth'), await gatewayConfig(c.env, Date.now()));
}

export async function listModels(c: Context<AppEnv>, family: ProtocolFamily): Promise<Response> {
  return c.json(modelListing(family).list(await visible(c)));
}

export async function describeModel(
  c: Context<AppEnv>,
  family: ProtocolFamily,
  id: string,
): Promise<Response> {
  const name = id.replace(/^models\//, '');
  if (!(await visible(c)).includes(name)) {
    throw new NotFoundError(
      'model_not_found',
      `The model "${name}" does not exist or is not available to this key.`,
    );
  }
  return c.json(modelListing(family).entry(name));
}
