// The one call every admin write that affects request handling makes (revocation, suspension,
// policy, levels, keys, prices). Today it drops this isolate's caches, so the change applies here
// on the next request; other isolates pick it up within their cache TTL. Cross-isolate propagation
// within one second (C3) will hang off this same call.
import { clearAuthCache } from './auth-context';
import { clearConfigCache } from './config';

export function notifyConfigChange(): void {
  clearAuthCache();
  clearConfigCache();
}
