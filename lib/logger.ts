// Structured JSON logs (Powertools logger) shared by every handler.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dispute-pipeline' });

/** Phone numbers in logs show their last 4 digits only. */
export const maskNumber = (e164: string) => `${'*'.repeat(Math.max(0, e164.length - 4))}${e164.slice(-4)}`;
