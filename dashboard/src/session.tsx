// Who is signed in (GET /auth/me: identity, the root's time zone and currency), and the bound
// formatters every screen uses so money and times always come out the root's way.
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import type { Schemas } from './api/client';
import * as f from './format';
import { useI18n } from './i18n';

export type Me = Schemas['Me'];

export interface Session {
  me: Me;
  signOut(): Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function useFormat() {
  const { me } = useSession();
  const { lang } = useI18n();
  return useMemo(
    () => ({
      money: (micros: number) => f.money(micros, me.currency, lang),
      moneyDecimal: (amount: string) => f.moneyDecimal(amount, me.currency, lang),
      num: (n: number) => f.num(n, lang),
      percent: (x: number) => f.percent(x, lang),
      ms: (n: number | null | undefined) => f.ms(n, lang),
      dateTime: (at: number | string | null | undefined) => f.dateTime(at, me.timezone, lang),
      today: () => f.dayIn(me.timezone, Date.now()),
    }),
    [me.currency, me.timezone, lang],
  );
}
