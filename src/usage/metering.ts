// Builds the usage record of a proxied request once its response has ended (metering and pricing).
import { costMicros, lacksUnitRate, type PriceRow } from '../billing/pricing';
import type { UsageRecord } from './record';
import { type MeteredUnits, type TokenUsage, zeroUsage } from './types';

export interface RequestMeta {
  requestId: string;
  accountId: string;
  accountPath: string;
  /** The account whose wallet pays, when it is not `accountId` (`wallet: inherit`). */
  walletAccountId?: string;
  keyId: string;
  endpoint: string;
  clientProtocol: UsageRecord['clientProtocol'];
  modelRequested: string;
  model: string;
  stream: boolean;
  startedAt: number;
}

export interface DeliveryMeta {
  provider: string | null;
  level: number | null;
  upstreamKeyId: string | null;
  retries: number;
  switchedOver: boolean;
}

export interface UsageResult {
  status: number;
  errorCode: string | null;
  usage: TokenUsage | null;
  estimated: boolean;
  ttftAt: number | null;
  endedAt: number;
  units?: Partial<MeteredUnits> | undefined;
}

export function usageRecord(
  meta: RequestMeta,
  delivery: DeliveryMeta,
  result: UsageResult,
  /** The request's day and price, already looked up at admission (the record must agree with it). */
  pricing: { day: string; price: PriceRow | undefined },
): UsageRecord {
  const usage = result.usage ?? zeroUsage();
  const units = result.units ?? {};
  const { day, price } = pricing;
  const unitsMetered = Object.values(units).some((n) => (n ?? 0) > 0);
  const billable = usage.promptTokens + usage.completionTokens > 0 || unitsMetered;
  return {
    requestId: meta.requestId,
    accountId: meta.accountId,
    accountPath: meta.accountPath,
    ...(meta.walletAccountId && meta.walletAccountId !== meta.accountId
      ? { walletAccountId: meta.walletAccountId }
      : {}),
    keyId: meta.keyId,
    ts: meta.startedAt,
    day,
    endpoint: meta.endpoint,
    clientProtocol: meta.clientProtocol,
    provider: delivery.provider,
    modelRequested: meta.modelRequested,
    model: meta.model,
    level: delivery.level,
    upstreamKeyId: delivery.upstreamKeyId,
    status: result.status,
    errorCode: result.errorCode,
    stream: meta.stream,
    ...usage,
    images: units.images ?? 0,
    audioSeconds: units.audioSeconds ?? 0,
    audioChars: units.audioChars ?? 0,
    webSearchCalls: units.webSearchCalls ?? 0,
    costMicros: price ? costMicros(usage, price, units) : 0,
    estimated: result.estimated,
    unpriced: billable && (!price || lacksUnitRate(units, price)),
    latencyMs: Math.max(0, result.endedAt - meta.startedAt),
    ttftMs: result.ttftAt === null ? null : Math.max(0, result.ttftAt - meta.startedAt),
    retries: delivery.retries,
    switchedOver: delivery.switchedOver,
  };
}
