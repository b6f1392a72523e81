// Policy configuration (PRODUCT.md §4.4): every threshold in one typed, versioned object.
// Changing any threshold means a new `version`; each recommendation records the version it used.
import { z } from 'zod';
import { canonicalJson } from '../canonical';
import { ValidationError } from '../errors';
import policyV1 from './policy.v1.json';

export const Policy = z
  .object({
    version: z.string().min(1),
    /** Rule 3: the disputed call's hour is degraded. */
    degradation: z.object({
      minHourAttempts: z.number().int().nonnegative(),
      maxHourNer: z.number().min(0).max(1),
      minNerDrop: z.number().min(0).max(1),
    }),
    /** Rule 4: false answer supervision. Fast answer is the histogram's [0,1) bin, short talk is < 6 s (PRODUCT.md §2). */
    falseAnswer: z.object({
      minAnswered: z.number().int().nonnegative(),
      minScr: z.number().min(0).max(1),
      minFastAnswerShare: z.number().min(0).max(1),
    }),
    /** Rule 5: too few attempts in the window and its baseline together. */
    lowSample: z.object({ minAttempts: z.number().int().nonnegative() }),
    /** Evidence reason DESTINATION_HEALTHY. */
    healthy: z.object({
      minAsrLowerBound: z.number().min(0).max(1),
      minNer: z.number().min(0).max(1),
      minAttempts: z.number().int().nonnegative(),
    }),
    /** Evidence reason AUTO_ATTENDANT_DETECTED: answers in the [1,3) and [3,6) bins, i.e. on the first ring. */
    autoAttendant: z.object({
      minAnswered: z.number().int().nonnegative(),
      minFirstRingShare: z.number().min(0).max(1),
    }),
    baselineHours: z.number().int().positive(),
    repeatDisputer: z.object({
      lookbackDays: z.number().int().positive(),
      minOtherDisputes: z.number().int().positive(),
      minDenied: z.number().int().nonnegative(),
    }),
    goodwill: z.object({
      limitMinor: z.number().int().nonnegative(),
      creditLookbackDays: z.number().int().positive(),
    }),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

/** The PRODUCT.md §4.4 defaults. The JSON file is what an operator copies to make a new version. */
export const DEFAULT_POLICY: Policy = Policy.parse(policyV1);

/** Canonical JSON of a policy, keys sorted: equal thresholds give equal text. */
export const canonicalPolicy = (policy: Policy): string => canonicalJson(policy);

/** The versions this code knows; a policy that reuses one of their names must have their exact thresholds. */
const KNOWN_VERSIONS = new Map([[DEFAULT_POLICY.version, canonicalPolicy(DEFAULT_POLICY)]]);

/** Validates a policy from configuration: schema, and "changing a threshold means a new version". */
export function parsePolicy(raw: unknown): Policy {
  const policy = Policy.parse(raw);
  const known = KNOWN_VERSIONS.get(policy.version);
  if (known !== undefined && known !== canonicalPolicy(policy)) {
    throw new ValidationError('version', `policy ${policy.version} differs from the released ${policy.version}: give changed thresholds a new version`);
  }
  return policy;
}
