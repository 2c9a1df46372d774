// Node cannot load the Workers runtime's `cloudflare:*` modules. The OpenAPI generator only needs
// the admin routes' schemas, so any `cloudflare:` import resolves to empty base classes instead.
import { register } from 'node:module';

const stub =
  'export class DurableObject {} export class WorkerEntrypoint {} export class RpcTarget {} export const env = {};';
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('cloudflare:')) return { url: 'data:text/javascript,${encodeURIComponent(stub)}', shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
