// My policy: every effective field (root ∧ … ∧ account, or ∧ key) with the layer it comes from.
import { useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { type Column, DataTable } from '../components/table';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat, useSession } from '../session';

type Effective = Schemas['EffectivePolicy'];
interface Row {
  field: string;
  value: string;
  source: string;
}

const moneyFields = new Set(['daily_budget', 'monthly_budget']);

function rowsOf(p: Effective, moneyDecimal: (s: string) => string): Row[] {
  const rows: Row[] = [];
  for (const [name, o] of Object.entries(p.limits))
    rows.push({
      field: `limits.${name}`,
      value: moneyFields.has(name) ? moneyDecimal(String(o.value)) : String(o.value),
      source: o.source,
    });
  for (const l of p.allow_models)
    rows.push({ field: 'allow_models', value: l.patterns.join(', '), source: l.source });
  for (const l of p.resources)
    rows.push({ field: 'resources', value: l.patterns.join(', '), source: l.source });
  for (const l of p.ip_allow) rows.push({ field: 'ip_allow', value: l.cidrs.join(', '), source: l.source });
  for (const [map, entries] of [
    ['model_mapper', p.model_mapper],
    ['level_mapper', p.level_mapper],
    ['switch_over', p.switch_over],
  ] as const)
    for (const [k, o] of Object.entries(entries))
      rows.push({ field: `${map}.${k}`, value: String(o.value), source: o.source });
  for (const [pattern, l] of Object.entries(p.model_limits))
    for (const name of ['rpm', 'tpm'] as const) {
      const o = l[name];
      if (o)
        rows.push({ field: `model_limits.${pattern}.${name}`, value: String(o.value), source: o.source });
    }
  if (p.budget_alerts)
    rows.push({
      field: 'budget_alerts',
      value: p.budget_alerts.value.map((v) => `${v}%`).join(', '),
      source: p.budget_alerts.source,
    });
  if (p.level) rows.push({ field: 'level', value: String(p.level.value), source: p.level.source });
  return rows;
}

export function PolicyPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const fmt = useFormat();
  const accountId = me.account_id ?? '';
  const [keyId, setKeyId] = useState('');
  const [keys] = useLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/keys', {
          params: { path: { id: accountId }, query: { limit: 1000 } },
        }),
      ),
    [accountId],
  );
  const [effective, reload] = useLoad(
    () =>
      keyId
        ? ok(api.GET('/admin/v1/keys/{id}/effective-policy', { params: { path: { id: keyId } } }))
        : ok(api.GET('/admin/v1/accounts/{id}/effective-policy', { params: { path: { id: accountId } } })),
    [accountId, keyId],
  );
  const columns: Column<Row>[] = [
    {
      id: 'field',
      accessorKey: 'field',
      header: t('policy.field'),
      cell: (c) => <code>{c.getValue() as string}</code>,
    },
    { id: 'value', accessorKey: 'value', header: t('policy.value') },
    {
      id: 'source',
      accessorKey: 'source',
      header: t('policy.source'),
      cell: (c) => <span className="badge">{c.getValue() as string}</span>,
    },
  ];
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('policy.title')}</h1>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('policy.of')}
            <select value={keyId} onChange={(e) => setKeyId(e.target.value)} name="policy-of">
              <option value="">{t('policy.myAccount', { account: accountId })}</option>
              {keys.state === 'done' &&
                keys.data.data
                  .filter((k) => !k.revoked)
                  .map((k) => (
                    <option key={k.id} value={k.id}>
                      {t('policy.key', { name: k.name, prefix: k.prefix })}
                    </option>
                  ))}
            </select>
          </label>
        </form>
        <p className="hint">{t('policy.intro')}</p>
      </div>
      <Show loaded={effective} retry={reload}>
        {(p) => (
          <>
            <Section title={t('policy.effective')} id="effective" wide>
              <DataTable<Row>
                label={t('policy.effective')}
                csvName={`switchyard-effective-policy-${keyId || accountId}`}
                data={rowsOf(p, fmt.moneyDecimal)}
                columns={columns}
                pageSize={50}
              />
            </Section>
            <Section title={t('policy.layers')} id="layers" wide>
              <ol className="layers">
                {p.layers.map((l) => (
                  <li key={l.source}>
                    <span className="badge">{l.source}</span>
                    <pre>
                      <code>{JSON.stringify(l.policy, null, 2)}</code>
                    </pre>
                  </li>
                ))}
              </ol>
            </Section>
          </>
        )}
      </Show>
    </div>
  );
}
