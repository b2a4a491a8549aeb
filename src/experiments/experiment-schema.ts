import { z } from 'zod';

/**
 * The chaos experiment format, shared by the simulator and the live lab: a timeline of faults with
 * targets and durations, and stop conditions. Nothing in it may be specific to one backend.
 */
const duration = z.union([z.string(), z.number()]);

/** A region by code, or by role in the architecture under test: `primary`, or `secondary` (the first one). */
const regionRef = z.string().min(1);

const faultBase = {
  /** When the fault starts, from the beginning of the run. */
  at: duration,
  /** How long it lasts; absent means until the end of the run. */
  duration: duration.optional(),
  /** Free text shown in reports. */
  note: z.string().optional(),
};

export const regionOutageSchema = z.strictObject({
  ...faultBase,
  action: z.literal('region-outage'),
  region: regionRef,
  /** Which tier goes down. @default 'all' */
  scope: z.enum(['all', 'app', 'database']).optional(),
});

export const linkLatencySchema = z.strictObject({
  ...faultBase,
  action: z.literal('link-latency'),
  /** Both ends: regions (inter-region link) or a population and a region (user path). */
  between: z.tuple([regionRef, regionRef]),
  /** Added to the round trip (half each way). */
  addMs: z.number(),
  /** Extra random delay, uniform in [0, jitterMs]. @default 0 */
  jitterMs: z.number().optional(),
});

export const partitionSchema = z.strictObject({
  ...faultBase,
  action: z.literal('partition'),
  /** Cut the link between two regions... */
  between: z.tuple([regionRef, regionRef]).optional(),
  /** ...or cut one region from every other region (users can still reach it). */
  isolate: regionRef.optional(),
  /** One way only (from the first to the second of `between`). @default false */
  oneWay: z.boolean().optional(),
});

export const errorInjectionSchema = z.strictObject({
  ...faultBase,
  action: z.literal('error-injection'),
  region: regionRef,
  /** Share of requests that fail, in [0, 1]. */
  errorRate: z.number(),
  /** @default 503 */
  status: z.number().optional(),
});

export const replicationPauseSchema = z.strictObject({
  ...faultBase,
  action: z.literal('replication-pause'),
  /** Replication out of this region; absent pauses every region. */
  region: regionRef.optional(),
  /** Only this data class; absent pauses every class. */
  dataClass: z.string().optional(),
});

export const healthCheckFailureSchema = z.strictObject({
  ...faultBase,
  action: z.literal('health-check-failure'),
  region: regionRef,
});

export const faultSchema = z.discriminatedUnion('action', [
  regionOutageSchema,
  linkLatencySchema,
  partitionSchema,
  errorInjectionSchema,
  replicationPauseSchema,
  healthCheckFailureSchema,
]);

export const stopConditionSchema = z.strictObject({
  /** Stop when availability (overall, or of one population) stays below the threshold for `for`. */
  when: z.literal('availability-below'),
  threshold: z.number(),
  for: duration,
  population: z.string().optional(),
});

export const experimentSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Length of the whole run. @default the end of the last fault plus 5 minutes */
  duration: duration.optional(),
  /** Multiplier on the spec's request rates. @default 1 */
  loadScale: z.number().optional(),
  faults: z.array(faultSchema),
  stop: z.array(stopConditionSchema).optional(),
});

export type ExperimentInput = z.input<typeof experimentSchema>;
export type FaultInput = z.infer<typeof faultSchema>;
