// Policy configuration (PRODUCT.md §4.4): every threshold in one typed, versioned object.
// Changing any threshold means a new `version`; each recommendation records the version it used.
import { z } from 'zod';

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

export const DEFAULT_POLICY: Policy = Policy.parse({
  version: 'v1',
  degradation: { minHourAttempts: 10, maxHourNer: 0.5, minNerDrop: 0.3 },
  falseAnswer: { minAnswered: 20, minScr: 0.5, minFastAnswerShare: 0.5 },
  lowSample: { minAttempts: 30 },
  healthy: { minAsrLowerBound: 0.3, minNer: 0.8, minAttempts: 30 },
  autoAttendant: { minAnswered: 20, minFirstRingShare: 0.8 },
  baselineHours: 168,
  repeatDisputer: { lookbackDays: 90, minOtherDisputes: 3, minDenied: 2 },
  goodwill: { limitMinor: 500, creditLookbackDays: 365 },
});
