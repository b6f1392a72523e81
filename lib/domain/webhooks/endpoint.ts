// Webhook endpoints (PRODUCT.md §5): a client's own subscription: where to POST, which events, and the secrets
// deliveries are signed with. During a roll the old secret stays valid until its expiry, and deliveries carry a
// signature with each.
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './events';

/** HTTPS, except to this machine (the local stack and its tests receive on 127.0.0.1). */
const EndpointUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((url) => url.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url), 'must be https:// (http:// only to 127.0.0.1 or localhost)');

const EventTypes = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length);

export const CreateEndpointRequest = z.object({ url: EndpointUrl, enabledEvents: EventTypes, description: z.string().max(500).optional() }).strict();
export type CreateEndpointRequest = z.infer<typeof CreateEndpointRequest>;

export const UpdateEndpointRequest = z
  .object({ url: EndpointUrl.optional(), enabledEvents: EventTypes.optional(), description: z.string().max(500).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one of url, enabledEvents, description, disabled');
export type UpdateEndpointRequest = z.infer<typeof UpdateEndpointRequest>;

export const RollSecretRequest = z
  .object({ overlapHours: z.number().int().min(0).max(168).default(24).meta({ description: 'how long the old secret keeps signing beside the new one' }) })
  .strict();

export interface SigningSecret {
  secret: string;
  createdAt: string;
  /** Set on a rolled-out secret: deliveries stop carrying its signature after this instant. */
  expiresAt?: string;
}

export interface WebhookEndpoint {
  endpointId: string;
  /** The client that made it: the only one that sees or changes it. */
  owner: string;
  url: string;
  enabledEvents: string[];
  description?: string;
  status: 'ENABLED' | 'DISABLED';
  /** Why it is disabled: by its owner, or after failing for three days. */
  disabledReason?: string;
  disabledAt?: string;
  secrets: SigningSecret[];
  createdAt: string;
  updatedAt: string;
  /** The first failure since the last success, if failing now. */
  failingSince?: string;
  lastFailureAt?: string;
  lastSuccessAt?: string;
}

/** The secrets deliveries are signed with at `now`: the current one and any rolled-out one still in its overlap. */
export const activeSecrets = (endpoint: Pick<WebhookEndpoint, 'secrets'>, now: Date): string[] =>
  endpoint.secrets.filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.secret);

/**
 * A roll: the new secret first; every older one still signing is kept for `overlapHours` at most (an earlier roll's
 * longer overlap is cut to it: after the overlap given last, only the new secret signs); expired ones dropped.
 */
export function rollSecrets(secrets: SigningSecret[], fresh: string, now: Date, overlapHours: number): SigningSecret[] {
  const until = now.getTime() + overlapHours * 3_600_000;
  const kept = secrets
    .map((s) => ({ ...s, expiresAt: new Date(Math.min(until, s.expiresAt === undefined ? until : Date.parse(s.expiresAt))).toISOString() }))
    .filter((s) => Date.parse(s.expiresAt) > now.getTime());
  return [{ secret: fresh, createdAt: now.toISOString() }, ...kept];
}

/** The `Dispute-Signature` header: `t=<unix seconds>,v1=<hex>[,v1=<hex>]`, given each active secret's signature. */
export const signatureHeader = (timestamp: number, signatures: string[]): string => [`t=${timestamp}`, ...signatures.map((s) => `v1=${s}`)].join(',');

/** The text that is signed: `<t>.<raw body>`. */
export const signedPayload = (timestamp: number, body: string): string => `${timestamp}.${body}`;

/** How many endpoints one client may have (Stripe allows 16 too): each event is one delivery per endpoint. */
export const MAX_ENDPOINTS_PER_OWNER = 16;

/** Signing secrets read `whsec_` then 64 hex digits (32 random bytes), so a leaked one is recognisable in a scan. */
export const SECRET_PREFIX = 'whsec_';

/** An endpoint as its owner reads it: never a secret, only until when a rolled-out one still signs. */
export type EndpointView = Omit<WebhookEndpoint, 'owner' | 'secrets'> & { previousSecretExpiresAt?: string };

export function endpointView(endpoint: WebhookEndpoint, now: Date): EndpointView {
  const { owner: _owner, secrets, ...rest } = endpoint;
  const previous = secrets.filter((s) => s.expiresAt !== undefined && Date.parse(s.expiresAt) > now.getTime()).map((s) => s.expiresAt!);
  return { ...rest, ...(previous.length > 0 ? { previousSecretExpiresAt: previous.sort().at(-1) } : {}) };
}
