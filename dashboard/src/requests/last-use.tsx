// A key's last use: its newest event in the request log over the whole retention period (one
// indexed read per key shown). Older use than the retention is gone, and shows as "—".
import { useLoad } from '../load';
import { useFormat, useSession } from '../session';
import { listRequests } from './api';

export function LastUse({ keyId }: { keyId: string }) {
  const fmt = useFormat();
  const { me } = useSession();
  const from = new Date(Date.now() - me.usage_retention_days * 86_400_000).toISOString();
  const [last] = useLoad(() => listRequests({ key: keyId, from }, undefined, 1), [keyId]);
  if (last.state === 'loading') return <span className="muted">…</span>;
  if (last.state === 'error') return <span className="muted">—</span>;
  const newest = last.data.data[0];
  return <span>{newest ? fmt.dateTime(newest.ts) : '—'}</span>;
}
