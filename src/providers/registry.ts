// Provider kind → the wire protocols it speaks upstream; protocol id → how clients speak it. The
// proxy core dispatches through these two tables only (planFor, clientProtocol), so it names
// neither a provider nor a protocol's wire detail.
//
// The rule (protocol bridge): a client protocol the provider speaks natively is passed through (bytes
// streamed
// as they arrive, unknown fields kept, only the model replaced); any other is translated through
// the bridge IR to and from the provider's `translateVia` wire.

import { UpstreamError } from '../errors/gateway-error';
import { anthropicAdapter } from './anthropic';
import { anthropicModelListing } from './anthropic/models';
import { anthropicMessagesProtocol } from './anthropic/protocol';
import { azureOpenAIAdapter } from './azure-openai';
import { geminiAdapter } from './gemini';
import { geminiBatchEmbedClient, geminiEmbedClient, geminiEmbeddings } from './gemini/embeddings';
import { geminiModelListing } from './gemini/models';
import { geminiGenerateProtocol } from './gemini/protocol';
import type { ProviderKind } from './kinds';
import { mockWire } from './mock';
import { mockEmbeddings } from './mock/embeddings';
import { OPENAI_DEFAULT_BASE, openAIChatAdapter, openAICompatibleChatAdapter } from './openai';
import { azureEmbeddings, openAIEmbeddings, openAIEmbeddingsClient } from './openai/embeddings';
import { MEDIA, openAIMediaWire } from './openai/media';
import { openAIModelListing } from './openai/models';
import { openAIChatProtocol } from './openai/protocol';
import { openAIResponsesAdapter } from './openai-responses';
import { openAIResponsesProtocol } from './openai-responses/protocol';
import type {
  ClientProtocolSpec,
  EmbeddingsClientSpec,
  EmbeddingsProtocol,
  EmbeddingsWire,
  MediaEndpoint,
  MediaSpec,
  MediaWire,
  ModelListing,
  ProtocolFamily,
  UpstreamWire,
  WireProtocol,
} from './types';

export interface ProviderEntry {
  /** The protocols this provider serves natively, each passed through for clients speaking it. */
  readonly wires: Partial<Record<WireProtocol, UpstreamWire>>;
  /** The wire every other client protocol is translated to. */
  readonly translateVia: WireProtocol;
  readonly embeddings?: EmbeddingsWire;
  /** Serves OpenAI's images, audio and moderations endpoints (relayed, never translated). */
  readonly media?: MediaWire;
}

const wire = (protocol: WireProtocol, adapter: UpstreamWire['adapter']): UpstreamWire => ({
  protocol,
  adapter,
});

const providers: Record<ProviderKind, ProviderEntry> = {
  openai: {
    wires: {
      'openai-chat': wire('openai-chat', openAIChatAdapter),
      'openai-responses': wire('openai-responses', openAIResponsesAdapter),
    },
    translateVia: 'openai-chat',
    embeddings: openAIEmbeddings(OPENAI_DEFAULT_BASE),
    media: openAIMediaWire(OPENAI_DEFAULT_BASE),
  },
  // Compatible servers are not assumed to have /responses: Responses clients are translated.
  'openai-compatible': {
    wires: { 'openai-chat': wire('openai-chat', openAICompatibleChatAdapter) },
    translateVia: 'openai-chat',
    embeddings: openAIEmbeddings(null),
    media: openAIMediaWire(null),
  },
  'azure-openai': {
    wires: { 'openai-chat': wire('openai-chat', azureOpenAIAdapter) },
    translateVia: 'openai-chat',
    embeddings: azureEmbeddings,
  },
  anthropic: {
    wires: { 'anthropic-messages': wire('anthropic-messages', anthropicAdapter) },
    translateVia: 'anthropic-messages',
  },
  gemini: {
    wires: { 'gemini-generate': wire('gemini-generate', geminiAdapter) },
    translateVia: 'gemini-generate',
    embeddings: geminiEmbeddings,
  },
  mock: { wires: { 'openai-chat': mockWire }, translateVia: 'openai-chat', embeddings: mockEmbeddings },
};

const protocols: Record<WireProtocol, ClientProtocolSpec> = {
  'openai-chat': openAIChatProtocol,
  'openai-responses': openAIResponsesProtocol,
  'anthropic-messages': anthropicMessagesProtocol,
  'gemini-generate': geminiGenerateProtocol,
};

export interface Plan {
  mode: 'passthrough' | 'translate';
  wire: UpstreamWire;
}

export function providerEntry(kind: ProviderKind): ProviderEntry {
  const entry = providers[kind];
  if (!entry) {
    throw new UpstreamError(
      'provider_not_supported',
      `Provider kind "${kind}" is not supported by this gateway version.`,
      501,
    );
  }
  return entry;
}

/** How a request in client protocol `client` reaches an upstream of provider `kind`. */
export function planFor(kind: ProviderKind, client: WireProtocol): Plan {
  const entry = providerEntry(kind);
  const native = entry.wires[client];
  if (native) return { mode: 'passthrough', wire: native };
  const via = entry.wires[entry.translateVia];
  if (!via) throw new Error(`provider ${kind} has no ${entry.translateVia} wire`);
  return { mode: 'translate', wire: via };
}

export function clientProtocol(id: WireProtocol): ClientProtocolSpec {
  return protocols[id];
}

const embeddingClients: Record<EmbeddingsProtocol, EmbeddingsClientSpec> = {
  'openai-embeddings': openAIEmbeddingsClient,
  'gemini-embed': geminiEmbedClient,
  'gemini-batch-embed': geminiBatchEmbedClient,
};

export function embeddingsClient(id: EmbeddingsProtocol): EmbeddingsClientSpec {
  return embeddingClients[id];
}

export function mediaSpec(endpoint: MediaEndpoint): MediaSpec {
  return MEDIA[endpoint];
}

const listings: Record<ProtocolFamily, ModelListing> = {
  openai: openAIModelListing,
  anthropic: anthropicModelListing,
  gemini: geminiModelListing,
};

export function modelListing(family: ProtocolFamily): ModelListing {
  return listings[family];
}
