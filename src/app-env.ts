// Per-request values, declared once (STYLE: typed Variables map).

import type { AdminActor } from './auth/admin-actor';
import type { AuthContext } from './auth/gateway-key';
import type { ClientProtocol } from './errors/render';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    protocol: ClientProtocol;
    auth: AuthContext;
    actor: AdminActor;
  };
}
