// The operator's screens (levels and upstream keys, routing, prices, audit: root only) and the
// playground (everyone), as one block of navigation entries and routes that the shell mounts.
import { lazy } from 'react';
import { Route } from 'wouter';
import type { MessageKey } from '../i18n';
import type { Me } from '../session';

const OperatorKeysPage = lazy(() => import('./operator-keys'));
const RoutingPage = lazy(() => import('./routing'));
const PricesPage = lazy(() => import('./prices'));
const AuditPage = lazy(() => import('./audit'));
const PlaygroundPage = lazy(() => import('./playground'));

/** Levels, upstream keys, routing and prices are the root's (the API answers 403 below it). */
export const isRootLevel = (me: Me) => me.account_path.split('/').filter(Boolean).length === 1;

export function operatorNav(me: Me): { href: string; label: MessageKey }[] {
  const root = isRootLevel(me);
  return [
    ...(root
      ? ([
          { href: '/operator/keys', label: 'nav.operatorKeys' },
          { href: '/operator/routing', label: 'nav.routing' },
          { href: '/operator/prices', label: 'nav.prices' },
        ] as const)
      : []),
    { href: '/operator/audit', label: 'nav.audit' },
    { href: '/playground', label: 'nav.playground' },
  ];
}

export const operatorRoutes = [
  <Route key="keys" path="/operator/keys">
    <OperatorKeysPage />
  </Route>,
  <Route key="routing" path="/operator/routing">
    <RoutingPage />
  </Route>,
  <Route key="prices" path="/operator/prices">
    <PricesPage />
  </Route>,
  <Route key="audit" path="/operator/audit">
    <AuditPage />
  </Route>,
  <Route key="playground" path="/playground">
    <PlaygroundPage />
  </Route>,
];
