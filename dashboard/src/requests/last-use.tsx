// A key's last use: its newest event in the request log (one indexed read per key shown).

import { useLoad } from '../load';
import { useFormat } from '../session';
import { listRequests } from './api';

export function LastUse({ keyId }: { keyId: string }) {
  const fmt = useFormat();
  const [last] = useLoad(() => listRequests({ key: keyId }, undefined, 1), [keyId]);
  if (last.state === 'loading') return <span className="muted">…</span>;
  if (last.state === 'error') return <span className="muted">—</span>;
  const newest = last.data.data[0];
  return <span>{newest ? fmt.dateTime(newest.ts) : '—'}</span>;
}
