// The names of the work items an audit stores between invocations (Audits table blobs): each hour's billing calls
// and destination rows per group, and each group's result. A fresh token per write means a redone hour or group
// never mixes its chunks with an earlier attempt's.
import { randomBytes } from 'node:crypto';

/** A token for one write of a work item. */
export const newToken = () => randomBytes(4).toString('hex');
/** An hour's billing-rule calls. */
export const billingBlob = (hour: string, token: string) => `billing#${hour}#${token}`;
/** An hour's destination rows of one group. */
export const rowsBlob = (hour: string, group: number, token: string) => `rows#${hour}#${group}#${token}`;
/** A destination group's findings. */
export const groupBlob = (group: number, token: string) => `group#${group}#${token}`;
