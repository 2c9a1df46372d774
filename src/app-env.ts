// Per-request values, declared once (STYLE: typed Variables map).
import type { ClientProtocol } from './errors/render';
import type { AdminActor } from './routes/admin/actor';
import type { AuthContext } from './state/auth-context';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    protocol: ClientProtocol;
    auth: AuthContext;
    actor: AdminActor;
  };
}
